-- +goose Up
-- The built-in resource_type dictionary names the CodePush bundle types 6
-- and 7 (issue #18) like the others: the panel's release tabs take their
-- labels from it.
-- Its description, in both languages (00023), gains the two types where
-- an admin has not rewritten it.
UPDATE dict_types SET description = '发布的内容：1、2 为 wgt 热更新包，3、4 为原生安装包，5 为设备固件，6、7 为 CodePush 包',
    description_en = 'What a release is: 1 and 2 wgt hot updates, 3 and 4 native builds, 5 device firmware, 6 and 7 CodePush bundles'
    WHERE code = 'resource_type' AND builtin AND description = '发布的内容：1、2 为 wgt 热更新包，3、4 为原生安装包，5 为设备固件';
INSERT INTO dict_items (id, type_code, label, label_en, value, color, sort, enabled, created_at, updated_at) VALUES
    ('3494609b63441b84b7ccb587ff157841', 'resource_type', 'CodePush 安卓', 'CodePush (Android)', '6', 'orange', 6, TRUE, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000'),
    ('27afe742d92bbbfa6324eb17aacb2540', 'resource_type', 'CodePush iOS', 'CodePush (iOS)', '7', 'gold', 7, TRUE, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');

-- +goose Down
DELETE FROM dict_items WHERE type_code = 'resource_type' AND value IN ('6', '7');
UPDATE dict_types SET description = '发布的内容：1、2 为 wgt 热更新包，3、4 为原生安装包，5 为设备固件',
    description_en = 'What a release is: 1 and 2 wgt hot updates, 3 and 4 native builds, 5 device firmware'
    WHERE code = 'resource_type' AND builtin AND description = '发布的内容：1、2 为 wgt 热更新包，3、4 为原生安装包，5 为设备固件，6、7 为 CodePush 包';
