package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
	swaggerFiles "github.com/swaggo/files"
	ginSwagger "github.com/swaggo/gin-swagger"

	_ "github.com/hoist-ota/hoist/docs" // registers the generated OpenAPI spec
)

// @title                      Hoist API
// @version                    1
// @description                Self-hosted release platform for app hot updates (upushy-compatible) and device OTA over MQTT. Every JSON response uses the envelope {success, statusCode, message, data} or, for errors, {success:false, statusCode, message, code, errors}.
// @BasePath                   /
// @securityDefinitions.apikey BearerAuth
// @in                         header
// @name                       Authorization
// @description                "Bearer " followed by an access token (JWT) or an API token (hst_...).
// @securityDefinitions.basic  HookBasic
// @description                RabbitMQ's auth backend: any username, mqtt.hookSecret as password (in the URL's userinfo in rabbitmq.conf).

// routes registers every route, grouped public / user / admin / device-hooks.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recovery, s.requestID, s.accessLog, s.securityHeaders, s.limitHeaders, bodyReadTimeout(s.cfg.ReadTimeout), s.cors)
	if s.metrics != nil {
		e.Use(s.observe)
		e.GET("/metrics", s.handleMetrics)
	}
	e.NoRoute(s.handleNoRoute)

	// Probes.
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)

	// The update check: every app launch. It bounds its own body
	// (maxUpdateBody) without the JSON endpoints' limiter.
	e.POST("/api/update", s.handleUpdateCheck)
	e.POST("/api/basic/update", s.handleUpdateCheck)
	// The CodePush acquisition protocol (PROTOCOLS §6), new and legacy paths.
	e.GET("/v0.1/public/codepush/update_check", s.handleCodePushCheck)
	e.GET("/updateCheck", s.handleCodePushCheck)
	cpReports := e.Group("", s.limitBody(s.cfg.MaxBodyBytes))
	cpReports.POST("/v0.1/public/codepush/report_status/deploy", s.handleCodePushDeployReport)
	cpReports.POST("/reportStatus/deploy", s.handleCodePushDeployReport)
	cpReports.POST("/v0.1/public/codepush/report_status/download", s.handleCodePushDownloadReport)
	cpReports.POST("/reportStatus/download", s.handleCodePushDownloadReport)
	e.GET("/codepush/diff/:id/:name", s.handleCodePushDiffDownload)

	// Public API (upushy-compatible) and authentication.
	public := e.Group("/api", s.limitBody(s.cfg.MaxBodyBytes), s.requireJSON)
	public.GET("/", s.handleHello)
	public.GET("/basic/config", s.handleBasicConfig)
	public.GET("/v1/auth/captcha", s.handleCaptcha)
	public.POST("/v1/auth/register", s.handleRegister)
	public.POST("/v1/auth/login", s.handleLogin)
	public.POST("/v1/auth/refresh", s.handleRefresh)
	public.POST("/v1/auth/logout", s.handleLogout)

	// Signed-in users (access token or API token). What each may do is
	// decided by the domain services (account, project).
	user := e.Group("/api/v1", s.limitBody(s.cfg.MaxBodyBytes), s.requireJSON, s.authenticate)
	user.GET("/me", s.handleMe)
	user.PATCH("/me", s.handleMeUpdate)
	user.PUT("/me/password", s.handleMePassword)
	user.GET("/me/tokens", s.handleTokenList)
	user.POST("/me/tokens", s.handleTokenCreate)
	user.DELETE("/me/tokens/:id", s.handleTokenDelete)
	user.GET("/logs/login", s.handleLoginLog)
	user.GET("/projects", s.handleProjectList)
	user.POST("/projects", s.handleProjectCreate)
	user.GET("/projects/:id", s.handleProjectGet)
	user.PATCH("/projects/:id", s.handleProjectUpdate)
	user.DELETE("/projects/:id", s.handleProjectDelete)
	user.GET("/projects/:id/members", s.handleMemberList)
	user.POST("/projects/:id/members", s.handleMemberAdd)
	user.PATCH("/projects/:id/members/:userId", s.handleMemberUpdate)
	user.DELETE("/projects/:id/members/:userId", s.handleMemberRemove)
	user.GET("/projects/:id/resources", s.handleResourceList)
	user.POST("/projects/:id/resources", s.handleResourceCreate)
	user.GET("/projects/:id/resources/native/latest", s.handleNativeLatest)
	user.GET("/projects/:id/channels", s.handleChannelList)
	user.POST("/projects/:id/channels", s.handleChannelCreate)
	user.DELETE("/projects/:id/channels/:name", s.handleChannelDelete)
	user.POST("/projects/:id/channels/:name/deployment-keys/:platform/rotate", s.handleDeploymentKeyRotate)
	user.GET("/resources/:id/codepush-metrics", s.handleCodePushMetrics)
	user.GET("/resources/:id/funnel", s.handleFunnel)
	user.GET("/resources/:id/rollout-plan", s.handleRolloutPlan)
	user.PUT("/resources/:id/rollout-plan", s.handleRolloutPlanSet)
	user.POST("/resources/:id/rollout-plan/:action", s.handleRolloutPlanAction)
	user.GET("/projects/:id/pins", s.handlePinList)
	user.POST("/projects/:id/pins", s.handlePinCreate)
	user.DELETE("/projects/:id/pins/:deviceKey", s.handlePinDelete)
	user.GET("/projects/:id/explain", s.handleExplain)
	if s.webhooks != nil {
		user.GET("/projects/:id/webhooks", s.handleWebhookList)
		user.POST("/projects/:id/webhooks", s.handleWebhookCreate)
		user.GET("/projects/:id/webhooks/:webhookId", s.handleWebhookGet)
		user.PATCH("/projects/:id/webhooks/:webhookId", s.handleWebhookUpdate)
		user.DELETE("/projects/:id/webhooks/:webhookId", s.handleWebhookDelete)
		user.POST("/projects/:id/webhooks/:webhookId/test", s.handleWebhookTest)
		user.GET("/projects/:id/webhooks/:webhookId/deliveries", s.handleWebhookDeliveries)
	}
	user.POST("/resources/:id/promote", s.handleResourcePromote)
	user.POST("/resources/:id/rollback", s.handleResourceRollback)
	user.GET("/resources/:id", s.handleResourceGet)
	user.PATCH("/resources/:id", s.handleResourceUpdate)
	user.DELETE("/resources/:id", s.handleResourceDelete)
	user.GET("/projects/:id/upload-credentials", s.handleUploadCredentials)
	user.GET("/projects/:id/stats", s.handleStats)
	user.POST("/projects/:id/files/register", s.handleFileRegister)

	// Uploads: their own body limit instead of the JSON one (multipart
	// framing on top of the largest file).
	upload := e.Group("/api/v1", s.limitBody(s.maxUpload+1<<20), s.authenticate)
	upload.POST("/projects/:id/files", s.handleFileUpload)
	// Dictionary.
	user.GET("/dicts", s.handleDictList)
	user.POST("/dicts", s.handleDictCreate)
	user.GET("/dicts/:code", s.handleDictGet)
	user.PATCH("/dicts/:code", s.handleDictUpdate)
	user.DELETE("/dicts/:code", s.handleDictDelete)
	user.POST("/dicts/:code/items", s.handleDictItemCreate)
	user.PATCH("/dicts/:code/items/:id", s.handleDictItemUpdate)
	user.DELETE("/dicts/:code/items/:id", s.handleDictItemDelete)
	// Devices.
	user.GET("/products", s.handleProductList)
	user.POST("/products", s.handleProductCreate)
	user.GET("/products/:product", s.handleProductGet)
	user.PATCH("/products/:product", s.handleProductUpdate)
	user.DELETE("/products/:product", s.handleProductDelete)
	user.GET("/products/:product/devices", s.handleDeviceList)
	user.POST("/products/:product/devices", s.handleDeviceCreate)
	user.GET("/products/:product/devices/:device", s.handleDeviceGet)
	user.PATCH("/products/:product/devices/:device", s.handleDeviceUpdate)
	user.DELETE("/products/:product/devices/:device", s.handleDeviceDelete)
	user.POST("/products/:product/devices/:device/secret", s.handleDeviceSecret)
	// Commands and OTA campaigns.
	user.POST("/products/:product/devices/:device/commands", s.handleDeviceCommandCreate)
	user.GET("/products/:product/devices/:device/commands/:requestId", s.handleDeviceCommandGet)
	user.POST("/products/:product/tags/:tag/commands", s.handleTagCommandCreate)
	user.GET("/products/:product/tags/:tag/commands/:requestId", s.handleTagCommandGet)
	user.GET("/ota/campaigns", s.handleCampaignList)
	user.POST("/ota/campaigns", s.handleCampaignCreate)
	user.GET("/ota/campaigns/:id", s.handleCampaignGet)
	user.GET("/ota/campaigns/:id/devices", s.handleCampaignDevices)
	user.GET("/ota/campaigns/:id/history", s.handleCampaignHistory)
	user.POST("/ota/campaigns/:id/cancel", s.handleCampaignCancel)
	user.POST("/ota/campaigns/:id/resume", s.handleCampaignResume)
	user.POST("/ota/campaigns/:id/pause", s.handleCampaignPause)
	user.POST("/ota/campaigns/:id/advance", s.handleCampaignAdvance)
	user.POST("/ota/campaigns/:id/abort", s.handleCampaignAbort)
	user.GET("/ota/campaigns/:id/events", s.handleCampaignEvents)
	// Seed 000's OTA API (PROTOCOLS §4): signed-in users or API tokens.
	seedOTA := e.Group("/ota", s.limitBody(s.cfg.MaxBodyBytes), s.requireJSON, s.authenticate)
	seedOTA.POST("/:product/:device", s.handleOTASend)
	seedOTA.GET("/:product/:device", s.handleOTAProgress)
	// Device batches: room for 10 000 devices instead of the JSON limit;
	// "devices\\:batch" is the literal path .../devices:batch.
	batch := e.Group("/api/v1", s.limitBody(maxBatchBodyBytes), s.authenticate)
	batch.POST("/products/:product/devices\\:batch", s.handleDeviceBatch)
	batch.POST("/products/:product/devices/batch", s.handleDeviceBatch)

	// Administrators (checked by the account service).
	user.GET("/users", s.handleUserList)
	user.POST("/users", s.handleUserCreate)
	user.PATCH("/users/:id", s.handleUserUpdate)
	user.GET("/imports/upushy/last", s.handleUpushyLastImport)

	// Device hooks: the external broker's authentication and ACL, behind
	// the shared secret header (PROTOCOLS §5); 404 when disabled.
	hooks := e.Group("/api/hooks", s.limitBody(hookBodyLimit), s.requireHookSecret)
	hooks.POST("/emqx/authn", s.handleEMQXAuthn)
	hooks.POST("/emqx/authz", s.handleEMQXAuthz)
	hooks.POST("/emqx/events", s.handleEMQXEvents)
	hooks.POST("/mosquitto/user", s.handleMosquittoUser)
	hooks.POST("/mosquitto/superuser", s.handleMosquittoSuperuser)
	hooks.POST("/mosquitto/acl", s.handleMosquittoACL)
	// RabbitMQ cannot send headers: its hooks take the secret as basic auth.
	rabbit := e.Group("/api/hooks/rabbitmq", s.limitBody(hookBodyLimit), s.requireRabbitHookSecret)
	rabbit.POST("/user", s.handleRabbitUser)
	rabbit.POST("/vhost", s.handleRabbitVhost)
	rabbit.POST("/resource", s.handleRabbitResource)
	rabbit.POST("/topic", s.handleRabbitTopic)

	// API docs.
	if s.cfg.Docs {
		toIndex := func(c *gin.Context) { c.Redirect(http.StatusFound, "/docs/index.html") }
		docs := ginSwagger.WrapHandler(swaggerFiles.Handler)
		e.GET("/docs", toIndex)
		e.GET("/docs/*any", func(c *gin.Context) {
			if c.Param("any") == "/" { // "/docs/" is the UI too
				toIndex(c)
				return
			}
			docs(c)
		})
	}

	// Stable download links of the update answer (public).
	e.GET("/d/:id/:name", s.handleDownload)
	e.HEAD("/d/:id/:name", s.handleDownload)
	e.GET("/d/:id/:name/:file", s.handleDownload) // :name is then the device segment
	e.HEAD("/d/:id/:name/:file", s.handleDownload)

	// Files of local storage (public; signed when configured).
	if s.localFiles != nil {
		e.GET("/files/*key", s.handleFileDownload)
		e.HEAD("/files/*key", s.handleFileDownload)
	}

	// Admin panel.
	e.GET("/", s.handlePanelIndex)
	e.HEAD("/", s.handlePanelIndex)
}
