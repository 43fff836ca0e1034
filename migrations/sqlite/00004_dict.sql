-- +goose Up
-- Dictionaries: labelled, coloured values for the panel's dropdowns and
-- tags. The four built-in types mirror enums of the code (builtin = TRUE):
-- their items may be relabelled, recoloured, reordered and disabled, but
-- not added, deleted or given another value.
CREATE TABLE dict_types (
    code        TEXT     NOT NULL PRIMARY KEY,
    name        TEXT     NOT NULL,
    description TEXT     NOT NULL DEFAULT '',
    builtin     BOOLEAN  NOT NULL DEFAULT FALSE,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE dict_items (
    id         TEXT     NOT NULL PRIMARY KEY,
    type_code  TEXT     NOT NULL REFERENCES dict_types (code) ON DELETE CASCADE,
    -- label is Chinese (the default language), label_en English
    label      TEXT     NOT NULL,
    label_en   TEXT     NOT NULL DEFAULT '',
    value      TEXT     NOT NULL,
    -- an ant-design tag colour name or #rrggbb, '' for none
    color      TEXT     NOT NULL DEFAULT '',
    sort       INTEGER  NOT NULL DEFAULT 0,
    enabled    BOOLEAN  NOT NULL DEFAULT TRUE,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX uq_dict_items_type_value ON dict_items (type_code, value);
CREATE INDEX ix_dict_items_type_sort ON dict_items (type_code, sort);

INSERT INTO dict_types (code, name, description, builtin, created_at, updated_at) VALUES
    ('resource_type', '资源类型', 'Resource types (release.Type): 1-2 wgt hot updates, 3-4 native builds, 5 firmware', TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('update_type', '更新方式', 'How an app applies an update (release.UpdateType)', TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('resource_status', '资源状态', 'Whether a resource may be offered (release.Status)', TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('ota_state', 'OTA 状态', 'Where a device is in an OTA request (ota.State), in lifecycle order', TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00');

INSERT INTO dict_items (id, type_code, label, label_en, value, color, sort, enabled, created_at, updated_at) VALUES
    ('587ac31872d95031675aea11bb498bb1', 'resource_type', 'wgt 安卓', 'Wgt (Android)', '1', 'green', 1, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('352cf04a8be10bb9fab322696991f641', 'resource_type', 'wgt iOS', 'Wgt (iOS)', '2', 'blue', 2, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('51b31224a77568a27d0ed3ce4d221d14', 'resource_type', '安卓整包', 'Android (apk)', '3', 'cyan', 3, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('0cfe72c1c70e4592d4bcb888243776e4', 'resource_type', 'iOS 整包 (App Store)', 'iOS (App Store)', '4', 'geekblue', 4, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('a55f52811582ad125f3f8836c316207c', 'resource_type', '固件', 'Firmware', '5', 'purple', 5, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('3544018b815cc8b9eb7340e3641be7ec', 'update_type', '用户同意更新', 'Ask the user', '1', 'blue', 1, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('9436509a33ee8fbb4e7f362171e1403a', 'update_type', '强制更新', 'Forced', '2', 'red', 2, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('2127d43f75ccdacc66a5cc207afe3b47', 'update_type', '静默更新', 'Silent', '3', 'purple', 3, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('097df3f43b5754c1cebe1ebcbb9140b0', 'resource_status', '启用', 'Enabled', '1', 'success', 1, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('e93fa9253be60aecb481286cfd6b2d4b', 'resource_status', '禁用', 'Disabled', '0', 'default', 2, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('943a7557725acd5652507a66f6a68b0b', 'ota_state', '已下发', 'Sent', 'sent', 'default', 1, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('f21173ff3c9703460f20cfa8c1227cb2', 'ota_state', '已接受', 'Accepted', 'accepted', 'blue', 2, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('5336fd17d7121ff5be3712b86f49f685', 'ota_state', '下载中', 'Downloading', 'downloading', 'processing', 3, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('e65dddce3f83c921c5a65d6cc7c2ecd9', 'ota_state', '已下载', 'Downloaded', 'downloaded', 'cyan', 4, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('d55f5d95dfab7c53956bb70aa690085b', 'ota_state', '已校验', 'Verified', 'verified', 'geekblue', 5, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('7d3e532d6370c33f75aaeb1b008f2ade', 'ota_state', '安装中', 'Installing', 'installing', 'processing', 6, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('5f797e8e6e167e48950b2d3736ba6aa5', 'ota_state', '重启中', 'Rebooting', 'rebooting', 'processing', 7, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('58ed6a9d5310a601b1bd795c7a4eaf0e', 'ota_state', '升级成功', 'Succeeded', 'succeeded', 'success', 8, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('d89ef5ff9e4cf54debe4d97f8e19da6d', 'ota_state', '升级失败', 'Failed', 'failed', 'error', 9, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('d6250e1d117225254535b38673a33425', 'ota_state', '已拒绝', 'Rejected', 'rejected', 'warning', 10, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('612f288f0847d7b8cfc371004fbc1a95', 'ota_state', '无需升级', 'Skipped', 'skipped', 'default', 11, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('0b21ddaa354fac62f8cd2080eb6c7ec0', 'ota_state', '已超时', 'Expired', 'expired', 'orange', 12, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00'),
    ('a7b8fb221d89562f5e1b923000c41d13', 'ota_state', '已取消', 'Cancelled', 'cancelled', 'default', 13, TRUE, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00');

-- +goose Down
DROP TABLE dict_items;
DROP TABLE dict_types;
