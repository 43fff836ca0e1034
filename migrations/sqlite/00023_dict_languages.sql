-- +goose Up
-- Dictionary names and descriptions in both languages, as items already
-- have label and label_en: name and description are Chinese (the default
-- language), name_en and description_en English; the panel shows the one
-- of its language, the other when that is empty. The built-in types get
-- both, in words rather than code identifiers; a name or description an
-- administrator changed is kept as it was.
ALTER TABLE dict_types ADD COLUMN name_en TEXT NOT NULL DEFAULT '';
ALTER TABLE dict_types ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
UPDATE dict_types SET name_en = 'Resource types' WHERE code = 'resource_type' AND builtin AND name = '资源类型';
UPDATE dict_types SET description = '发布的内容：1、2 为 wgt 热更新包，3、4 为原生安装包，5 为设备固件',
    description_en = 'What a release is: 1 and 2 wgt hot updates, 3 and 4 native builds, 5 device firmware'
    WHERE code = 'resource_type' AND builtin AND description = 'Resource types (release.Type): 1-2 wgt hot updates, 3-4 native builds, 5 firmware';
UPDATE dict_types SET name_en = 'Update types' WHERE code = 'update_type' AND builtin AND name = '更新方式';
UPDATE dict_types SET description = '应用如何安装更新：征得用户同意、强制或静默',
    description_en = 'How an app installs an update: with the user''s consent, forced, or silently'
    WHERE code = 'update_type' AND builtin AND description = 'How an app applies an update (release.UpdateType)';
UPDATE dict_types SET name_en = 'Release status' WHERE code = 'resource_status' AND builtin AND name = '资源状态';
UPDATE dict_types SET description = '版本是否会提供给设备',
    description_en = 'Whether a release may be offered to devices'
    WHERE code = 'resource_status' AND builtin AND description = 'Whether a resource may be offered (release.Status)';
UPDATE dict_types SET name_en = 'OTA states' WHERE code = 'ota_state' AND builtin AND name = 'OTA 状态';
UPDATE dict_types SET description = '设备在一次 OTA 升级中所处的阶段，按先后顺序',
    description_en = 'Where a device is in an OTA update, in the order it gets there'
    WHERE code = 'ota_state' AND builtin AND description = 'Where a device is in an OTA request (ota.State), in lifecycle order';

-- +goose Down
UPDATE dict_types SET description = 'Resource types (release.Type): 1-2 wgt hot updates, 3-4 native builds, 5 firmware' WHERE code = 'resource_type' AND builtin AND description = '发布的内容：1、2 为 wgt 热更新包，3、4 为原生安装包，5 为设备固件';
UPDATE dict_types SET description = 'How an app applies an update (release.UpdateType)' WHERE code = 'update_type' AND builtin AND description = '应用如何安装更新：征得用户同意、强制或静默';
UPDATE dict_types SET description = 'Whether a resource may be offered (release.Status)' WHERE code = 'resource_status' AND builtin AND description = '版本是否会提供给设备';
UPDATE dict_types SET description = 'Where a device is in an OTA request (ota.State), in lifecycle order' WHERE code = 'ota_state' AND builtin AND description = '设备在一次 OTA 升级中所处的阶段，按先后顺序';
ALTER TABLE dict_types DROP COLUMN description_en;
ALTER TABLE dict_types DROP COLUMN name_en;
