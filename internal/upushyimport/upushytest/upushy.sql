-- An upushy-server 0.6 database, as upushy writes it.
--
-- Schema: the three tables the importer reads, with the columns and types of
-- upushy-server's newest schema script (sql/upushy-2022-05-10.sql, the same
-- as its TypeORM entities create): ids varchar(36) filled by guid() (32
-- lowercase hex characters), TIMESTAMP(6) time columns, utf8mb4. upushy's log
-- tables (app_log_*) are not read and left out.
--
-- Rows are written the way upushy 0.6 writes them:
-- * app_source.url holds, for types 1-3, the OSS object key that the panel
--   uploaded to (no scheme, no host; since 2021 some keys contain spaces),
--   and upushy answers https://{ALIYUN_OSS_BUCKET}.{ALIYUN_OSS_ENDPOINT}.aliyuncs.com/{key};
--   for type 4 the App Store link as typed (itms-apps:// or https://).
-- * app_user.password is argon2.hash(md5hex(password)) of the argon2 npm
--   package with its defaults: argon2id m=4096,t=3,p=1 (argon2 0.26 to 0.28,
--   upushy since 2020), or argon2i with the same parameters (argon2 before
--   0.26) for the oldest accounts. carol's password was reset by hand to a
--   bare md5 hex, which nothing can verify.
-- * Usernames are whatever was typed (upushy checks only that one is there).
-- * A duplicate versionCode: two wgt-android 1125 uploads of the Shop app
--   that upushy's unlocked "versionCode must grow" check let both in; upushy's
--   update check answers with the one of smaller id (02b3a7f4...), the later
--   upload.
-- * The server runs in Asia/Shanghai (as upushy under pm2 often does): the
--   session below writes its wall-clock times, which MySQL keeps as UTC.
--
-- Users (password): alice (alice-upushy-1, argon2i), bob (bob-upushy-22),
-- 李雷 (li-upushy-333), dave smith (dave-upushy-4444), carol (unverifiable).

SET time_zone = '+08:00';

CREATE TABLE `app_user` (
  `id` varchar(36) NOT NULL,
  `username` varchar(50) NOT NULL,
  `password` varchar(200) NOT NULL,
  `email` varchar(320) NULL DEFAULT NULL,
  `nickname` varchar(255) NULL DEFAULT NULL,
  `created_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `updated_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`),
  UNIQUE KEY `username` (`username`)
) ENGINE=InnoDB CHARACTER SET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `app_project` (
  `id` varchar(36) NOT NULL,
  `user_id` varchar(36) NOT NULL,
  `name` varchar(50) NOT NULL,
  `describe` varchar(255) NOT NULL DEFAULT '',
  `created_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `updated_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`)
) ENGINE=InnoDB CHARACTER SET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE `app_source` (
  `id` varchar(36) NOT NULL,
  `project_id` varchar(36) NOT NULL,
  `version` varchar(255) NOT NULL,
  `version_code` int(10) UNSIGNED NOT NULL,
  `native_version_code` int(10) UNSIGNED NOT NULL DEFAULT 0,
  `url` varchar(255) NOT NULL,
  `update_type` int(10) UNSIGNED NOT NULL DEFAULT 1,
  `type` int(10) UNSIGNED NOT NULL,
  `status` int(10) UNSIGNED NOT NULL DEFAULT 1,
  `changelog` varchar(255) NOT NULL DEFAULT '',
  `remark` varchar(255) NOT NULL DEFAULT '',
  `created_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `updated_time` timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (`id`)
) ENGINE=InnoDB CHARACTER SET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO `app_user` (`id`, `username`, `password`, `email`, `nickname`, `created_time`, `updated_time`) VALUES
('414d432bb906dd74f797f207adfd1009', 'alice', '$argon2i$v=19$m=4096,t=3,p=1$dXB1c2h5LXNhbHQtMDAwMQ$DiFtWH+3VNYefzl2L+B1fM4J6pru+6K0k5zSrcmF/tY', 'alice@example.com', 'Alice', '2020-07-05 17:00:00.000000', '2020-07-05 17:00:00.000000'),
('309dbd17044739b532782991660a69ea', 'bob', '$argon2id$v=19$m=4096,t=3,p=1$dXB1c2h5LXNhbHQtMDAwMg$wLpoqyn5sSw0KImXeMavjWyAzJk1Siq5DHzmg6pkkcY', 'bob at example', NULL, '2021-02-01 18:30:00.000000', '2021-06-01 18:30:00.000000'),
('c83ba5ec5150e2d56f38bb205b1d673f', '李雷', '$argon2id$v=19$m=4096,t=3,p=1$dXB1c2h5LXNhbHQtMDAwMw$nkb7BayNG1+/R151AA1KmJZAk8yYBK7n0xPCbXfL0kw', NULL, NULL, '2021-03-01 16:00:00.000000', '2021-03-01 16:00:00.000000'),
('5d0f1c2b3a4e5f60718293a4b5c6d7e8', 'dave smith', '$argon2id$v=19$m=4096,t=3,p=1$dXB1c2h5LXNhbHQtMDAwNA$/xScexbigh8r3V3EfaTigxxSSOkk7ASlcQUQZEoNHqg', 'dave@example.com', 'Dave', '2022-05-20 09:15:00.000000', '2022-05-20 09:15:00.000000'),
('8f965a13a5f49864dc8eeb955b52396f', 'carol', '766e10000daa92296cb26e08a84a6191', NULL, NULL, '2021-04-01 16:00:00.000000', '2022-01-10 11:00:00.000000');

INSERT INTO `app_project` (`id`, `user_id`, `name`, `describe`, `created_time`, `updated_time`) VALUES
('866116d35b382bb6e1ae0cbb484b9950', '414d432bb906dd74f797f207adfd1009', 'Shop app', 'uni-app shop, Android and iOS', '2020-07-06 17:00:00.000000', '2020-07-06 17:00:00.000000'),
('303833f732f6c0e578a61363f682c92f', '309dbd17044739b532782991660a69ea', 'Bob''s tools', '', '2021-02-02 17:00:00.000000', '2021-02-02 17:00:00.000000'),
('4f9925e00ecd7de6bb97376c57f286ad', 'c83ba5ec5150e2d56f38bb205b1d673f', '李雷的应用', '', '2021-03-02 17:00:00.000000', '2021-03-02 17:00:00.000000'),
('7a1c0e9b2f3d4c5b6a79881726354433', '8f965a13a5f49864dc8eeb955b52396f', 'Carol kiosk', 'iPad kiosk', '2021-04-02 17:00:00.000000', '2021-04-02 17:00:00.000000');

INSERT INTO `app_source` (`id`, `project_id`, `version`, `version_code`, `native_version_code`, `url`, `update_type`, `type`, `status`, `changelog`, `remark`, `created_time`, `updated_time`) VALUES
('a3f17c0d5e9b4a2c8d6e1f0a9b8c7d6e', '866116d35b382bb6e1ae0cbb484b9950', '1.1.10', 1110, 0, '2021-1-20/1611111111111.__UNI__B843CC0_0120180101.apk', 1, 3, 1, '1.1.10', '', '2021-01-20 18:01:01.000000', '2021-01-20 18:01:01.000000'),
('b8e2d4f6a1c3e5f7092b4d6f8a1c3e5f', '866116d35b382bb6e1ae0cbb484b9950', '1.1.12', 1112, 1110, '2021-1-25/1611555555555.__UNI__B843CC0.wgt', 1, 1, 1, '1.1.12', '', '2021-01-25 14:19:15.555000', '2021-01-25 14:19:15.555000'),
('1e0820e3ac9e15af1667dc57251c64ab', '866116d35b382bb6e1ae0cbb484b9950', '1.1.19', 1119, 0, '2021-2-7/1612709287834.__UNI__B843CC0_0207224602.apk', 1, 3, 1, '一曲新词酒一杯\n1.1.19\nbuild:1119', '', '2021-02-07 22:49:25.538000', '2021-02-07 22:49:25.538000'),
('392029975c32603c4480e4a3edbe5f7c', '866116d35b382bb6e1ae0cbb484b9950', '1.1.25', 1125, 1119, '2021-02/2021-02-28 16:46:64.1614502019649.__UNI__B843CC0.wgt', 1, 1, 1, '1.1.25\nbuild:1125', '', '2021-02-28 16:46:59.793000', '2021-02-28 16:46:59.793000'),
('02b3a7f4a5ddc2faff756a92d264f3e3', '866116d35b382bb6e1ae0cbb484b9950', '1.1.25', 1125, 1119, '2021-02/2021-02-28 16:46:65.1614502020112.__UNI__B843CC0.wgt', 1, 1, 1, '1.1.25\nbuild:1125', '', '2021-02-28 16:47:00.112000', '2021-02-28 16:47:00.112000'),
('44b5c0aded072d35cf0a867dad617aca', '866116d35b382bb6e1ae0cbb484b9950', '1.1.26', 1126, 1119, '2021-03/1615000000000.__UNI__B843CC0.wgt', 2, 1, 0, 'not ready', 'held back', '2021-03-06 11:06:40.000000', '2021-03-06 11:06:40.000000'),
('2e9c888d518106f218a0cb8f860aa6d9', '866116d35b382bb6e1ae0cbb484b9950', '1.1.19', 1119, 0, 'itms-apps://itunes.apple.com/cn/app/id1234567890', 1, 4, 1, '', '', '2021-02-08 16:00:00.000000', '2021-02-08 16:00:00.000000'),
('1c89cb43e15780541b5364046d267f41', '866116d35b382bb6e1ae0cbb484b9950', '1.1.25', 1125, 1119, '2021-03/1614670000000.__UNI__B843CC0.wgt', 1, 2, 1, '', '', '2021-03-02 16:00:00.000000', '2021-03-02 16:00:00.000000'),
('6d2f8a4c1e3b5d7f9a0c2e4b6d8f0a1c', '303833f732f6c0e578a61363f682c92f', '1.0.0', 100, 0, '2022-05/1652170000000.app-release.apk', 1, 3, 1, '', '', '2022-05-10 16:06:40.000000', '2022-05-10 16:06:40.000000'),
('7e3a9b5d2f4c6e8a0b1d3f5a7c9e1b2d', '303833f732f6c0e578a61363f682c92f', '1.0.1', 101, 100, '2022-05/2022-05-12 10:00:01.1652320801000.__UNI__0A1B2C3.wgt', 3, 1, 1, 'silent fix', '', '2022-05-12 10:00:01.000000', '2022-05-12 10:00:01.000000'),
('c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b4', '4f9925e00ecd7de6bb97376c57f286ad', '1.0.0', 100, 0, '2021-3-4/1614844800000.__UNI__LILEI00.apk', 1, 3, 1, '', '', '2021-03-04 16:00:00.000000', '2021-03-04 16:00:00.000000'),
('236a517dd4e1bde89c14cb06046b4b48', '4f9925e00ecd7de6bb97376c57f286ad', '1.0.1', 101, 100, '2021-3-5/1614931200000.__UNI__LILEI00.wgt', 2, 1, 1, '修复', '', '2021-03-05 16:00:00.000000', '2021-03-05 16:00:00.000000'),
('d5f7b9c1e3a5c7e9f1b3d5a7c9e1f3a5', '7a1c0e9b2f3d4c5b6a79881726354433', '2.0.0', 5, 0, 'https://apps.apple.com/cn/app/id987654321', 2, 4, 1, '', '', '2021-04-03 16:00:00.000000', '2021-04-03 16:00:00.000000'),
('e6a8c0d2f4b6d8f0a2c4e6b8d0f2a4c6', '7a1c0e9b2f3d4c5b6a79881726354433', '2.0.1', 6, 5, '2021-04/1617523200000.kiosk.wgt', 1, 2, 1, '', '', '2021-04-04 16:00:00.000000', '2021-04-04 16:00:00.000000');
