package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ratelimit"
)

type captchaView struct {
	CaptchaID string `json:"captchaId"`
	// Image is a data URI (data:image/png;base64,...).
	Image string `json:"image"`
}

// handleCaptcha godoc
//
//	@Summary	Issue an image captcha (single use, valid 2 minutes)
//	@Tags		auth
//	@Produce	json
//	@Success	200	{object}	okEnvelope{data=captchaView}
//	@Failure	409	{object}	errorEnvelope	"captchas are turned off"
//	@Failure	429	{object}	errorEnvelope
//	@Router		/api/v1/auth/captcha [get]
func (s *Server) handleCaptcha(c *gin.Context) {
	if s.captcha == nil {
		s.respondError(c, apperr.New(apperr.Conflict, "captchas are turned off on this server"))
		return
	}
	if !s.limit(c, s.captchaLimit, "ip:"+c.ClientIP()) {
		return
	}
	cp, err := s.captcha.New(c.Request.Context())
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	respondOK(c, http.StatusOK, captchaView{CaptchaID: cp.ID, Image: cp.Image})
}

// checkCaptcha verifies the captcha when captchas are on.
func (s *Server) checkCaptcha(c *gin.Context, id, answer string) bool {
	if s.captcha == nil {
		return true
	}
	if err := s.captcha.Verify(c.Request.Context(), id, answer); err != nil {
		s.respondError(c, err)
		return false
	}
	return true
}

// limit counts an attempt against l and answers 429 with Retry-After when
// it is over the limit. It reports whether the request may go on.
func (s *Server) limit(c *gin.Context, l *ratelimit.Limiter, key string) bool {
	if l == nil {
		return true
	}
	ok, retry, err := l.Allow(c.Request.Context(), key)
	if err != nil {
		s.respondError(c, apperr.Wrap(err, apperr.Unavailable, "rate limiter unavailable"))
		return false
	}
	if !ok {
		secs := int(retry.Round(time.Second) / time.Second)
		c.Header("Retry-After", strconv.Itoa(max(secs, 1)))
		s.respondError(c, apperr.New(apperr.RateLimited, "too many attempts; try again in %d seconds", max(secs, 1)))
		return false
	}
	return true
}

type registerRequest struct {
	Username  string `json:"username,omitempty" example:"alice"`
	Password  string `json:"password,omitempty" example:"correct horse battery"`
	Email     string `json:"email,omitempty" example:"alice@example.com"`
	Nickname  string `json:"nickname,omitempty" example:"Alice"`
	CaptchaID string `json:"captchaId,omitempty"`
	Captcha   string `json:"captcha,omitempty" example:"12345"`
	// SetupCode is the one-time code Hoist prints in its log on a fresh
	// database; the first account needs it unless it registers from the
	// server itself (basic config's setupCodeRequired says when).
	SetupCode string `json:"setupCode,omitempty" example:"K7QF-2MZX-9TRA"`
}

// handleRegister godoc
//
//	@Summary		Register; the first user becomes admin
//	@Description	Needs open registration (auth.registration) except for the very first user. On a fresh database the first user registering from another machine must send setupCode, the one-time code printed in Hoist's log at start (403 naming setupCode otherwise); from the server itself (loopback, not through an untrusted proxy) it is not needed.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		registerRequest	true	"new account"
//	@Success		201		{object}	okEnvelope{data=sessionView}
//	@Failure		400		{object}	errorEnvelope	"invalid fields or captcha"
//	@Failure		403		{object}	errorEnvelope	"registration closed, or the first account without the setup code"
//	@Failure		409		{object}	errorEnvelope	"username taken"
//	@Failure		429		{object}	errorEnvelope
//	@Router			/api/v1/auth/register [post]
func (s *Server) handleRegister(c *gin.Context) {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	if !s.limit(c, s.registerLimit, "ip:"+c.ClientIP()) || !s.limit(c, s.registerLimit, "user:"+account.UsernameKey(req.Username)) {
		return
	}
	if !s.checkCaptcha(c, req.CaptchaID, req.Captcha) {
		return
	}
	if err := s.checkSetupCode(c, req.SetupCode); err != nil {
		s.respondError(c, err)
		return
	}
	sess, err := s.accounts.Register(c.Request.Context(),
		account.NewUser{Username: req.Username, Password: req.Password, Email: req.Email, Nickname: req.Nickname}, client(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	if s.setupCode != nil {
		s.setupCode.Spend() // an account exists now
	}
	respondOK(c, http.StatusCreated, viewSession(sess))
}

type loginRequest struct {
	Username  string `json:"username,omitempty" example:"alice"`
	Password  string `json:"password,omitempty" example:"correct horse battery"`
	CaptchaID string `json:"captchaId,omitempty"`
	Captcha   string `json:"captcha,omitempty" example:"12345"`
}

// handleLogin godoc
//
//	@Summary		Log in with username and password
//	@Description	Wrong password and unknown user give the same 401. Limited per IP and per username (auth.loginPerMinute).
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		loginRequest	true	"credentials"
//	@Success		200		{object}	okEnvelope{data=sessionView}
//	@Failure		400		{object}	errorEnvelope	"captcha"
//	@Failure		401		{object}	errorEnvelope	"invalid username or password"
//	@Failure		403		{object}	errorEnvelope	"account disabled"
//	@Failure		429		{object}	errorEnvelope
//	@Router			/api/v1/auth/login [post]
func (s *Server) handleLogin(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	if !s.limit(c, s.loginLimit, "ip:"+c.ClientIP()) || !s.limit(c, s.loginLimit, "user:"+account.UsernameKey(req.Username)) {
		return
	}
	if !s.checkCaptcha(c, req.CaptchaID, req.Captcha) {
		return
	}
	sess, err := s.accounts.Login(c.Request.Context(), req.Username, req.Password, client(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewSession(sess))
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken,omitempty"`
}

// handleRefresh godoc
//
//	@Summary		Exchange a refresh token for a new session (rotation)
//	@Description	The refresh token is single-use. Presenting a used one ends every session descended from the same login.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		refreshRequest	true	"refresh token"
//	@Success		200		{object}	okEnvelope{data=sessionView}
//	@Failure		401		{object}	errorEnvelope
//	@Router			/api/v1/auth/refresh [post]
func (s *Server) handleRefresh(c *gin.Context) {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	sess, err := s.accounts.Refresh(c.Request.Context(), req.RefreshToken, client(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewSession(sess))
}

// handleLogout godoc
//
//	@Summary	End the session of a refresh token
//	@Tags		auth
//	@Accept		json
//	@Produce	json
//	@Param		body	body		refreshRequest	true	"refresh token"
//	@Success	200		{object}	okEnvelope
//	@Router		/api/v1/auth/logout [post]
func (s *Server) handleLogout(c *gin.Context) {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	if err := s.accounts.Logout(c.Request.Context(), req.RefreshToken); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}
