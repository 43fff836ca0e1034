package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/account"
)

// handleMe godoc
//
//	@Summary	My account
//	@Tags		me
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	okEnvelope{data=userView}
//	@Failure	401	{object}	errorEnvelope
//	@Router		/api/v1/me [get]
func (s *Server) handleMe(c *gin.Context) {
	u, err := s.accounts.Me(c.Request.Context(), principal(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewUser(u))
}

type profileRequest struct {
	Email    *string `json:"email,omitempty" example:"alice@example.com"`
	Nickname *string `json:"nickname,omitempty" example:"Alice"`
}

// handleMeUpdate godoc
//
//	@Summary	Change my email or nickname
//	@Tags		me
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		profileRequest	true	"fields to change"
//	@Success	200		{object}	okEnvelope{data=userView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope	"read-only or project-scoped API token"
//	@Router		/api/v1/me [patch]
func (s *Server) handleMeUpdate(c *gin.Context) {
	var req profileRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	u, err := s.accounts.UpdateProfile(c.Request.Context(), principal(c), account.Profile{Email: req.Email, Nickname: req.Nickname})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewUser(u))
}

type passwordRequest struct {
	CurrentPassword string `json:"currentPassword,omitempty"`
	NewPassword     string `json:"newPassword,omitempty"`
}

// handleMePassword godoc
//
//	@Summary		Change my password
//	@Description	Ends every other session, invalidates older access tokens and deletes the user's API tokens; returns a new session. Needs a login session, not an API token.
//	@Tags			me
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		passwordRequest	true	"current and new password"
//	@Success		200		{object}	okEnvelope{data=sessionView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Router			/api/v1/me/password [put]
func (s *Server) handleMePassword(c *gin.Context) {
	var req passwordRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	sess, err := s.accounts.ChangePassword(c.Request.Context(), principal(c), req.CurrentPassword, req.NewPassword, client(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewSession(sess))
}

// handleTokenList godoc
//
//	@Summary	My API tokens (without secrets)
//	@Tags		me
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	okEnvelope{data=[]apiTokenView}
//	@Failure	403	{object}	errorEnvelope	"project-scoped API token"
//	@Router		/api/v1/me/tokens [get]
func (s *Server) handleTokenList(c *gin.Context) {
	ts, err := s.accounts.ListAPITokens(c.Request.Context(), principal(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]apiTokenView, len(ts))
	for i, t := range ts {
		out[i] = viewAPIToken(t)
	}
	respondOK(c, http.StatusOK, out)
}

type tokenRequest struct {
	Name      string     `json:"name,omitempty" example:"ci"`
	ProjectID string     `json:"projectId,omitempty" example:"866116d35b382bb6e1ae0cbb484b9950"`
	ReadOnly  bool       `json:"readOnly,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty" example:"2027-01-01T00:00:00Z"`
}

// handleTokenCreate godoc
//
//	@Summary		Create an API token (shown once)
//	@Description	Use it as "Authorization: Bearer hst_...". Optionally restricted to one project and/or read-only. Needs a login session.
//	@Tags			me
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		tokenRequest	true	"token"
//	@Success		201		{object}	okEnvelope{data=createdAPITokenView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Router			/api/v1/me/tokens [post]
func (s *Server) handleTokenCreate(c *gin.Context) {
	var req tokenRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	t, plain, err := s.accounts.CreateAPIToken(c.Request.Context(), principal(c),
		account.NewAPIToken{Name: req.Name, ProjectID: req.ProjectID, ReadOnly: req.ReadOnly, ExpiresAt: req.ExpiresAt})
	if err != nil {
		s.respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	respondOK(c, http.StatusCreated, createdAPITokenView{apiTokenView: viewAPIToken(t), Token: plain})
}

// handleTokenDelete godoc
//
//	@Summary	Revoke one of my API tokens
//	@Tags		me
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"token id"
//	@Success	200	{object}	okEnvelope
//	@Failure	403	{object}	errorEnvelope	"read-only or project-scoped API token"
//	@Failure	404	{object}	errorEnvelope
//	@Router		/api/v1/me/tokens/{id} [delete]
func (s *Server) handleTokenDelete(c *gin.Context) {
	if err := s.accounts.DeleteAPIToken(c.Request.Context(), principal(c), c.Param("id")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

// handleLoginLog godoc
//
//	@Summary		Login log
//	@Description	Administrators see every attempt; other users their own. Not for project-scoped API tokens (403).
//	@Tags			me
//	@Produce		json
//	@Security		BearerAuth
//	@Param			pageNum		query		int		false	"page, from 1"
//	@Param			pageSize	query		int		false	"records per page (max 100)"
//	@Param			order		query		string	false	"ASC or DESC"
//	@Success		200			{object}	okEnvelope{data=listView[loginAttemptView]}
//	@Router			/api/v1/logs/login [get]
func (s *Server) handleLoginLog(c *gin.Context) {
	pg, err := parsePage(c, account.LoginLogSortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	items, total, err := s.accounts.ListLoginAttempts(c.Request.Context(), principal(c), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewLoginAttempt)
}
