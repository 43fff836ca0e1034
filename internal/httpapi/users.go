package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/account"
)

// handleUserList godoc
//
//	@Summary	Users (administrators)
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Param		search		query		string	false	"part of username, nickname or email"
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"createdTime or username"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[userView]}
//	@Failure	403			{object}	errorEnvelope
//	@Router		/api/v1/users [get]
func (s *Server) handleUserList(c *gin.Context) {
	pg, err := parsePage(c, account.UserSortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	users, total, err := s.accounts.ListUsers(c.Request.Context(), principal(c), c.Query("search"), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, users, total, viewUser)
}

type userCreateRequest struct {
	Username string `json:"username,omitempty" example:"bob"`
	Password string `json:"password,omitempty"`
	Email    string `json:"email,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Role     string `json:"role,omitempty" enums:"admin,user" example:"user"`
}

// handleUserCreate godoc
//
//	@Summary	Create a user (administrators)
//	@Tags		users
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		userCreateRequest	true	"new user; role defaults to user"
//	@Success	201		{object}	okEnvelope{data=userView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope
//	@Router		/api/v1/users [post]
func (s *Server) handleUserCreate(c *gin.Context) {
	var req userCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	role := account.Role(req.Role)
	if role == "" {
		role = account.RoleUser
	}
	u, err := s.accounts.AdminCreateUser(c.Request.Context(), principal(c),
		account.NewUser{Username: req.Username, Password: req.Password, Email: req.Email, Nickname: req.Nickname}, role)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewUser(u))
}

type userPatchRequest struct {
	Role     *string `json:"role,omitempty" enums:"admin,user"`
	Disabled *bool   `json:"disabled,omitempty"`
	// Password resets the user's password and ends their sessions.
	Password *string `json:"password,omitempty"`
}

// handleUserUpdate godoc
//
//	@Summary		Change a user's role, disabled flag or password (administrators)
//	@Description	Disabling or resetting the password ends the user's sessions; a reset also deletes the user's API tokens. The last enabled admin cannot be demoted or disabled (409).
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string				true	"user id"
//	@Param			body	body		userPatchRequest	true	"fields to change"
//	@Success		200		{object}	okEnvelope{data=userView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope
//	@Router			/api/v1/users/{id} [patch]
func (s *Server) handleUserUpdate(c *gin.Context) {
	var req userPatchRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	patch := account.UserPatch{Disabled: req.Disabled, Password: req.Password}
	if req.Role != nil {
		r := account.Role(*req.Role)
		patch.Role = &r
	}
	u, err := s.accounts.AdminUpdateUser(c.Request.Context(), principal(c), c.Param("id"), patch)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewUser(u))
}
