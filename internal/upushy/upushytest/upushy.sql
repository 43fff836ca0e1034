-- An upushy-server database as the importer expects it.
--
-- Schema: the tables upushy-server's TypeORM entities create on MySQL
-- (SunSeekerX/upushy-server, src/.../entities/{user,project,source}.entity.ts,
-- the releases whose ids come from guid(): 32 lowercase hex characters in a
-- varchar(36) primary key). Later upushy releases added columns to
-- app_source (upload_type, ...) that the importer does not read; the
-- earliest ones (2020, camelCase columns, isForceUpdate) are not supported.
--
--   app_user     id, username (unique), password, email NULL, nickname NULL,
--                created_time, updated_time
--   app_project  id, user_id (owner), name, `describe`, created_time, updated_time
--   app_source   id, project_id, version, version_code, native_version_code, url,
--                update_type (1 consent, 2 forced, 3 silent),
--                type (1 wgt-android, 2 wgt-ios, 3 android, 4 ios),
--                status (0 disabled, 1 enabled), changelog, remark,
--                created_time, updated_time
--
-- Passwords: upushy's panel sent md5(password) as lowercase hex and the server
-- stored argon2.hash(that) of the argon2 npm package: argon2i m=4096,t=3,p=1
-- (its defaults before v0.30) or argon2id m=65536,t=3,p=4 (after).
--   alice / alice-upushy-1 (argon2i), bob / bob-upushy-22 (argon2id),
--   李雷 / li-upushy-333 (a username Hoist does not allow), carol (bcrypt: not
--   an upushy hash, cannot be verified).

CREATE TABLE `app_user` (
  `id` varchar(36) NOT NULL COMMENT 'id',
  `username` varchar(50) NOT NULL COMMENT '用户名',
  `password` varchar(200) NOT NULL COMMENT '密码',
  `email` varchar(320) NULL COMMENT '邮箱',
  `nickname` varchar(255) NULL COMMENT '昵称',
  `created_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT '创建时间',
  `updated_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT '更新时间',
  UNIQUE INDEX `IDX_78a916df40e02a9deb1c4b75ed` (`username`),
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `app_project` (
  `id` varchar(36) NOT NULL COMMENT 'id',
  `user_id` varchar(36) NOT NULL COMMENT '用户id',
  `name` varchar(50) NOT NULL COMMENT '应用名',
  `describe` varchar(255) NOT NULL COMMENT '应用描述' DEFAULT '',
  `created_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT '创建时间',
  `updated_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT '更新时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `app_source` (
  `id` varchar(36) NOT NULL COMMENT 'id',
  `project_id` varchar(36) NOT NULL COMMENT '项目id',
  `version` varchar(255) NOT NULL COMMENT '版本',
  `version_code` int unsigned NOT NULL COMMENT '版本号',
  `native_version_code` int unsigned NOT NULL COMMENT '原生应用版本号' DEFAULT 0,
  `url` varchar(255) NOT NULL COMMENT '下载地址',
  `update_type` int unsigned NOT NULL COMMENT '更新类型（1：用户同意更新，2：强制更新，3：静默更新）' DEFAULT 1,
  `upload_type` int unsigned NOT NULL COMMENT '上传类型 1 本地上传 2 阿里云 oss' DEFAULT 1,
  `type` int unsigned NOT NULL COMMENT '资源类型（1：wgt-android 2：wgt-ios  3：android，4：ios）',
  `status` int unsigned NOT NULL COMMENT '资源状态（0：禁用 1：启用）' DEFAULT 1,
  `changelog` varchar(255) NOT NULL COMMENT '更新日志' DEFAULT '',
  `remark` varchar(255) NOT NULL COMMENT '备注' DEFAULT '',
  `created_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT '创建时间',
  `updated_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT '更新时间',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO `app_user` (`id`, `username`, `password`, `email`, `nickname`, `created_time`, `updated_time`) VALUES
('414d432bb906dd74f797f207adfd1009', 'alice', '$argon2i$v=19$m=4096,t=3,p=1$AoXsT6d10g6xWcK7oj5mpg$cuDfLs06nA592HfTNl6uYhUsa6izFhFLuSL2pd+6IOM', 'alice@example.com', 'Alice', '2021-01-05 09:00:00.000000', '2021-01-05 09:00:00.000000'),
('309dbd17044739b532782991660a69ea', 'bob', '$argon2id$v=19$m=65536,t=3,p=4$Q8X7CPB/qRP4yBBOxi08Qg$ZIjfTitDwz9kviMawm8/faGSAgBiTwctrahyr4rwSoQ', 'bob at example', NULL, '2021-02-01 10:30:00.000000', '2021-06-01 10:30:00.000000'),
('c83ba5ec5150e2d56f38bb205b1d673f', '李雷', '$argon2i$v=19$m=4096,t=3,p=1$GnYgmhRowQAGW9JDdHZw8Q$XcGbUxRSmEr91+XJMvmIKEZ2h/XD555OI4k/+8yiGo0', NULL, '李雷', '2021-03-01 08:00:00.000000', '2021-03-01 08:00:00.000000'),
('8f965a13a5f49864dc8eeb955b52396f', 'carol', '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy', NULL, NULL, '2021-04-01 08:00:00.000000', '2021-04-01 08:00:00.000000');

INSERT INTO `app_project` (`id`, `user_id`, `name`, `describe`, `created_time`, `updated_time`) VALUES
('866116d35b382bb6e1ae0cbb484b9950', '414d432bb906dd74f797f207adfd1009', 'Shop app', 'uni-app shop, Android and iOS', '2021-01-06 09:00:00.000000', '2021-01-06 09:00:00.000000'),
('303833f732f6c0e578a61363f682c92f', '309dbd17044739b532782991660a69ea', 'Bob''s tools', '', '2021-02-02 09:00:00.000000', '2021-02-02 09:00:00.000000'),
('4f9925e00ecd7de6bb97376c57f286ad', 'c83ba5ec5150e2d56f38bb205b1d673f', '李雷的应用', '', '2021-03-02 09:00:00.000000', '2021-03-02 09:00:00.000000'),
('2b1d54c3-6c1e-4a4e-9a49-5f0b7c2d8e11', '414d432bb906dd74f797f207adfd1009', 'Old dashed id', '', '2021-01-07 09:00:00.000000', '2021-01-07 09:00:00.000000');

INSERT INTO `app_source` (`id`, `project_id`, `version`, `version_code`, `native_version_code`, `url`, `update_type`, `upload_type`, `type`, `status`, `changelog`, `remark`, `created_time`, `updated_time`) VALUES
('1e0820e3ac9e15af1667dc57251c64ab', '866116d35b382bb6e1ae0cbb484b9950', '1.1.19', 1119, 0, 'https://uni-pushy.oss-cn-hangzhou.aliyuncs.com/2021-2-7/1612709287834.__UNI__B843CC0_0207224602.apk', 1, 2, 3, 1, '一曲新词酒一杯\n1.1.19\nbuild:1119', '', '2021-02-07 14:49:25.538000', '2021-02-07 14:49:25.538000'),
('392029975c32603c4480e4a3edbe5f7c', '866116d35b382bb6e1ae0cbb484b9950', '1.1.25', 1125, 1119, 'https://uni-pushy.oss-cn-hangzhou.aliyuncs.com/2021-02/2021-02-28%2016:46:64.1614502019649.__UNI__B843CC0.wgt', 1, 2, 1, 1, '1.1.25\nbuild:1125', '', '2021-02-28 08:46:59.793000', '2021-02-28 08:46:59.793000'),
('44b5c0aded072d35cf0a867dad617aca', '866116d35b382bb6e1ae0cbb484b9950', '1.1.26', 1126, 1119, 'https://uni-pushy.oss-cn-hangzhou.aliyuncs.com/2021-03/1615000000000.__UNI__B843CC0.wgt', 2, 2, 1, 0, 'not ready', 'held back', '2021-03-06 03:06:40.000000', '2021-03-06 03:06:40.000000'),
('02b3a7f4a5ddc2faff756a92d264f3e3', '866116d35b382bb6e1ae0cbb484b9950', '1.1.25', 1125, 1119, 'https://uni-pushy.oss-cn-hangzhou.aliyuncs.com/2021-02/again.wgt', 1, 2, 1, 1, 'uploaded twice', '', '2021-03-01 08:00:00.000000', '2021-03-01 08:00:00.000000'),
('1c89cb43e15780541b5364046d267f41', '866116d35b382bb6e1ae0cbb484b9950', '1.1.25', 1125, 1119, '/upload/2021-03/__UNI__B843CC0.wgt', 1, 1, 2, 1, '', '', '2021-03-02 08:00:00.000000', '2021-03-02 08:00:00.000000'),
('2e9c888d518106f218a0cb8f860aa6d9', '866116d35b382bb6e1ae0cbb484b9950', '1.1.19', 1119, 0, 'https://apps.apple.com/cn/app/id1234567890', 1, 1, 4, 1, '', '', '2021-02-08 08:00:00.000000', '2021-02-08 08:00:00.000000'),
('4dfdb3e3c60ff3e0b0d0084dfa04a35c', '866116d35b382bb6e1ae0cbb484b9950', '9.9.9', 9999, 0, 'https://example.com/x.bin', 1, 1, 7, 1, '', '', '2021-03-03 08:00:00.000000', '2021-03-03 08:00:00.000000'),
('236a517dd4e1bde89c14cb06046b4b48', '4f9925e00ecd7de6bb97376c57f286ad', '1.0.1', 101, 100, 'https://example.com/li.wgt', 1, 2, 1, 1, '', '', '2021-03-04 08:00:00.000000', '2021-03-04 08:00:00.000000');
