-- +goose Up
-- The built-in resource_type dictionary names the CodePush bundle types 6
-- and 7 (issue #18) like the others: the panel's release tabs take their
-- labels from it.
UPDATE dict_types SET description = 'Resource types (release.Type): 1-2 wgt hot updates, 3-4 native builds, 5 firmware, 6-7 CodePush bundles'
    WHERE code = 'resource_type';
INSERT INTO dict_items (id, type_code, label, label_en, value, color, sort, enabled, created_at, updated_at) VALUES
    ('3494609b63441b84b7ccb587ff157841', 'resource_type', 'CodePush 安卓', 'CodePush (Android)', '6', 'orange', 6, TRUE, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000'),
    ('27afe742d92bbbfa6324eb17aacb2540', 'resource_type', 'CodePush iOS', 'CodePush (iOS)', '7', 'gold', 7, TRUE, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');

-- +goose Down
DELETE FROM dict_items WHERE type_code = 'resource_type' AND value IN ('6', '7');
UPDATE dict_types SET description = 'Resource types (release.Type): 1-2 wgt hot updates, 3-4 native builds, 5 firmware'
    WHERE code = 'resource_type';
