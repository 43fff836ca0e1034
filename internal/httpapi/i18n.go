package httpapi

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Server messages follow the client's language (Accept-Language; the panel
// sends its own). Hoist writes them in English; this table gives the
// Chinese of the common ones: validation, authentication, not found and the
// update check. A message it does not know stays English; the stable
// `code` never changes.

// prefersChinese reports whether the Accept-Language header ranks a zh
// language above every other.
func prefersChinese(header string) bool {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if tag != "" && q > bestQ {
			best, bestQ = strings.ToLower(tag), q
		}
	}
	return best == "zh" || strings.HasPrefix(best, "zh-")
}

// zhExact are whole messages (top-level or field) and their Chinese.
var zhExact = map[string]string{
	"is required":                                        "为必填项",
	"must be android or ios":                             "必须是 android 或 ios",
	"must be a non-negative whole number":                "必须是非负整数",
	"must be a string":                                   "必须是字符串",
	"must be a whole number":                             "必须是整数",
	"must be a number":                                   "必须是数字",
	"must be true or false":                              "必须是 true 或 false",
	"must be an array":                                   "必须是数组",
	"must be an object":                                  "必须是对象",
	"is not a field of this request":                     "不是此请求的字段",
	"is incorrect":                                       "不正确",
	"must be 1 to 50 characters":                         "长度必须为 1 到 50 个字符",
	"must be 3 to 50 characters":                         "长度必须为 3 到 50 个字符",
	"must be at most 50 characters":                      "最多 50 个字符",
	"must be at most 255 characters":                     "最多 255 个字符",
	"must be at most 2000 characters":                    "最多 2000 个字符",
	"must be at least 1":                                 "必须至少为 1",
	"must not be negative":                               "不能为负数",
	"must be from 1 to 100":                              "必须在 1 到 100 之间",
	"may contain only letters, digits, _ . and -":        "只能包含字母、数字、_ . 和 -",
	"must be an email address such as dev@example.com":   "必须是电子邮件地址，例如 dev@example.com",
	"must be owner, maintainer or viewer":                "必须是 owner、maintainer 或 viewer",
	"must be admin or user":                              "必须是 admin 或 user",
	"must be ASC or DESC":                                "必须是 ASC 或 DESC",
	"must be 1 (user consent), 2 (forced) or 3 (silent)": "必须是 1（用户确认）、2（强制）或 3（静默）",
	"must be 0 (disabled) or 1 (enabled)":                "必须是 0（禁用）或 1（启用）",
	"must be 1 (wgt-android), 2 (wgt-ios), 3 (android), 4 (ios) or 5 (firmware)": "必须是 1（wgt-android）、2（wgt-ios）、3（android）、4（ios）或 5（固件）",
	"is required: upload the file first":                                         "为必填项：请先上传文件",
	"does not name a file uploaded to this project":                              "不是上传到此项目的文件",
	"the file is no longer in storage; upload it again":                          "文件已不在存储中，请重新上传",
	"must be the https App Store link of the app":                                "必须是应用的 https App Store 链接",
	"must be 0 for native and firmware resources":                                "原生包和固件必须为 0",
	"must be at most 32 of a-z 0-9 _ -":                                          "最多 32 个 a-z 0-9 _ - 字符",
	"must be 1 to 64 characters of A-Z a-z 0-9 _ . - (no / + # $ or spaces)":     "必须是 1 到 64 个 A-Z a-z 0-9 _ . - 字符（不能有 / + # $ 或空格）",
	"project not found":                                           "项目不存在",
	"resource not found":                                          "资源不存在",
	"download not found":                                          "下载不存在",
	"device not found":                                            "设备不存在",
	"product not found":                                           "产品不存在",
	"file not found":                                              "文件不存在",
	"invalid or expired access token":                             "访问令牌无效或已过期",
	"invalid username or password":                                "用户名或密码错误",
	"sign in first: send Authorization: Bearer <token>":           "请先登录：发送 Authorization: Bearer <token>",
	"this account is disabled":                                    "此账号已被禁用",
	"this token is read-only":                                     "此令牌为只读",
	"only administrators can do this":                             "只有管理员可以执行此操作",
	"only project owners can do this":                             "只有项目所有者可以执行此操作",
	"registration is closed; ask an administrator for an account": "注册已关闭，请联系管理员创建账号",
	"internal server error":                                       "服务器内部错误",
	"request body must be a JSON object":                          "请求体必须是 JSON 对象",
	"malformed JSON: the body must be a JSON object":              "JSON 格式错误：请求体必须是 JSON 对象",
	"malformed JSON: unexpected data after the object":            "JSON 格式错误：对象之后有多余数据",
	"update check temporarily unavailable":                        "更新检查暂时不可用",
	"the first account needs the setup code from Hoist's log":     "第一个账号需要 Hoist 日志中的初始化码",
	"is required for the first account: it is printed in Hoist's log at start (or register from the server itself, or run hoist user create -admin)": "第一个账号必填：Hoist 启动时打印在日志中（或在服务器本机注册，或运行 hoist user create -admin）",
	"is not the setup code printed in Hoist's log at start":                                                                      "不是 Hoist 启动时在日志中打印的初始化码",
	"is wrong or expired; get a new one from GET /api/v1/auth/captcha and send its captchaId with the answer":                    "错误或已过期；请从 GET /api/v1/auth/captcha 获取新的验证码，并连同 captchaId 一起提交答案",
	"is required: GET /api/v1/auth/captcha gives a captchaId and an image; send both captchaId and captcha (the image's answer)": "为必填项：GET /api/v1/auth/captcha 返回 captchaId 和图片；请同时提交 captchaId 和 captcha（图片中的答案）",
	// Webhooks.
	"must be at most 1024 characters":                                    "最多 1024 个字符",
	"must be an absolute https:// URL":                                   "必须是完整的 https:// 地址",
	"must not contain a user name or password":                           "不能包含用户名或密码",
	"must use https (http only to a loopback address such as 127.0.0.1)": "必须使用 https（http 仅限 127.0.0.1 等本机回环地址）",
	"must be 16 to 128 printable ASCII characters":                       "必须是 16 到 128 个可打印的 ASCII 字符",
	"must be json, dingtalk, feishu, wecom or slack":                     "必须是 json、dingtalk、feishu、wecom 或 slack",
	"webhook not found":                                                  "Webhook 不存在",
	"only owners and maintainers can see or change webhooks":             "只有项目所有者和维护者可以查看或修改 Webhook",
	"the webhook is disabled; enable it to test it":                      "Webhook 已禁用，启用后才能测试",
}

// zhPattern translates messages with values in them.
type zhPattern struct {
	re *regexp.Regexp
	zh string // with $1.. for the captured values
}

var zhPatterns = []zhPattern{
	{regexp.MustCompile(`^must be greater than (\d+)$`), "必须大于 $1"},
	{regexp.MustCompile(`^versionCode must be greater than (\d+)$`), "versionCode 必须大于 $1"},
	{regexp.MustCompile(`^too many attempts; try again in (\d+) seconds$`), "尝试次数过多，请在 $1 秒后重试"},
	{regexp.MustCompile(`^request body is larger than (\d+) bytes$`), "请求体超过 $1 字节"},
	{regexp.MustCompile(`^the file is larger than (\d+) bytes$`), "文件超过 $1 字节"},
	{regexp.MustCompile(`^no route for (\S+) (\S+)$`), "没有 $1 $2 的路由"},
	{regexp.MustCompile(`^(\S+) is not a field of this request$`), "$1 不是此请求的字段"},
	{regexp.MustCompile(`^malformed JSON: (.*)$`), "JSON 格式错误：$1"},
	{regexp.MustCompile(`^each tag must be 1 to 64 characters of A-Z a-z 0-9 _ \. - \(no / \+ # \$ or spaces\); (".*") is not$`), "每个标签必须是 1 到 64 个 A-Z a-z 0-9 _ . - 字符（不能有 / + # $ 或空格）；$1 不是"},
	{regexp.MustCompile(`^must be at most (\d+) tags$`), "最多 $1 个标签"},
	{regexp.MustCompile(`^the package declares versionCode (\d+) \(version (".*")\); use it, or set force to publish anyway$`), "安装包声明的 versionCode 为 $1（版本 $2）；请使用它，或设置 force 强制发布"},
	{regexp.MustCompile(`^the package declares version (".*"); use it, or set force to publish anyway$`), "安装包声明的版本为 $1；请使用它，或设置 force 强制发布"},
	{regexp.MustCompile(`^must be the versionCode of a (android|ios) native resource of this project \(in channel ([a-z0-9_-]+)\): publish the native build first$`), "必须是此项目渠道 $2 中某个 $1 原生包的 versionCode：请先发布原生包"},
	{regexp.MustCompile(`^must be the versionCode of a (android|ios) native resource of this project \(in channel ([a-z0-9_-]+) or ([a-z0-9_-]+)\): publish the native build first$`), "必须是此项目渠道 $2 或 $3 中某个 $1 原生包的 versionCode：请先发布原生包"},
	{regexp.MustCompile(`^the update check takes a JSON body \(Content-Type: application/json\), not a form \((.*)\)$`), "更新检查需要 JSON 请求体（Content-Type: application/json），而不是表单（$1）"},
	{regexp.MustCompile(`^this release is rolled out to (\d+)% of devices, not to this one$`), "此版本仅灰度发布给 $1% 的设备，不包括此设备"},
	{regexp.MustCompile(`^must name at least one of (.*)$`), "至少选择其中之一：$1"},
	{regexp.MustCompile(`^must be among (.*)$`), "必须是其中之一：$1"},
	{regexp.MustCompile(`^is required: at least one of (.*)$`), "为必填项：至少选择其中之一：$1"},
	{regexp.MustCompile(`^the archive lists more than (\d+) entries; a wgt or apk has far fewer$`), "压缩包条目超过 $1 个；wgt 或 apk 远少于此"},
}

// zhMessage returns the Chinese of one English message, or msg itself.
func zhMessage(msg string) string {
	if s, ok := zhExact[msg]; ok {
		return s
	}
	for _, p := range zhPatterns {
		if p.re.MatchString(msg) {
			return p.re.ReplaceAllString(msg, p.zh)
		}
	}
	return msg
}

// localize translates an error's message and field messages for the
// client's language. A message made from the field errors (apperr.Fields)
// is made again from the translated ones.
func localize(acceptLanguage, msg string, fields []apperr.FieldError) (string, []apperr.FieldError) {
	if !prefersChinese(acceptLanguage) {
		return msg, fields
	}
	if len(fields) == 0 {
		return zhMessage(msg), fields
	}
	out := make([]apperr.FieldError, len(fields))
	parts := make([]string, len(fields))
	en := make([]string, len(fields))
	for i, f := range fields {
		out[i] = apperr.FieldError{Field: f.Field, Message: zhMessage(f.Message)}
		parts[i] = f.Field + " " + out[i].Message
		en[i] = f.Field + " " + f.Message
	}
	if msg == strings.Join(en, "; ") {
		return strings.Join(parts, "; "), out
	}
	return zhMessage(msg), out
}
