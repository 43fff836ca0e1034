package httpapi

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/project"
)

// updateURL is the update-check URL apps are configured with.
func (s *Server) updateURL(c *gin.Context) string {
	return s.baseURL(c) + UpdateURLSuffix
}

// baseURL is publicBaseURL, or the URL this request reached us at.
func (s *Server) baseURL(c *gin.Context) string {
	if s.publicBaseURL != "" {
		return strings.TrimRight(s.publicBaseURL, "/")
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// handleProjectList godoc
//
//	@Summary	Projects I can see (all of them for administrators)
//	@Tags		projects
//	@Produce	json
//	@Security	BearerAuth
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"createdTime or name"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[projectView]}
//	@Router		/api/v1/projects [get]
func (s *Server) handleProjectList(c *gin.Context) {
	pg, err := parsePage(c, project.SortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	items, total, err := s.projects.List(c.Request.Context(), principal(c), pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	url := s.updateURL(c)
	respondList(c, pg, items, total, func(l project.Listed) projectView { return viewProject(l.Project, l.Role, url) })
}

type projectRequest struct {
	Name        *string `json:"name,omitempty" example:"Shop app"`
	Description *string `json:"description,omitempty" example:"uni-app shop, Android and iOS"`
}

// handleProjectCreate godoc
//
//	@Summary	Create a project (I become its owner)
//	@Tags		projects
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		projectRequest	true	"project"
//	@Success	201		{object}	okEnvelope{data=projectView}
//	@Failure	400		{object}	errorEnvelope
//	@Router		/api/v1/projects [post]
func (s *Server) handleProjectCreate(c *gin.Context) {
	var req projectRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	pr, err := s.projects.Create(c.Request.Context(), principal(c), project.Fields{Name: req.Name, Description: req.Description})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewProject(pr, project.RoleOwner, s.updateURL(c)))
}

// handleProjectGet godoc
//
//	@Summary	A project, with the update URL to configure the app with
//	@Tags		projects
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"project id"
//	@Success	200	{object}	okEnvelope{data=projectView}
//	@Failure	404	{object}	errorEnvelope	"no such project, or not mine"
//	@Router		/api/v1/projects/{id} [get]
func (s *Server) handleProjectGet(c *gin.Context) {
	pr, role, err := s.projects.Access(c.Request.Context(), principal(c), c.Param("id"), project.Read)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewProject(pr, role, s.updateURL(c)))
}

// handleProjectUpdate godoc
//
//	@Summary	Rename a project or change its description (owners)
//	@Tags		projects
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string			true	"project id"
//	@Param		body	body		projectRequest	true	"fields to change"
//	@Success	200		{object}	okEnvelope{data=projectView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Router		/api/v1/projects/{id} [patch]
func (s *Server) handleProjectUpdate(c *gin.Context) {
	var req projectRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	p := principal(c)
	pr, err := s.projects.Update(c.Request.Context(), p, c.Param("id"), project.Fields{Name: req.Name, Description: req.Description})
	if err != nil {
		s.respondError(c, err)
		return
	}
	_, role, _ := s.projects.Access(c.Request.Context(), p, pr.ID, project.Read)
	respondOK(c, http.StatusOK, viewProject(pr, role, s.updateURL(c)))
}

// handleProjectDelete godoc
//
//	@Summary		Delete a project (owners)
//	@Description	A project with resources is kept (409) unless force=true, which deletes its resources and their files too. Device products always block the deletion (409): delete them first (force-deleting a product removes its devices).
//	@Tags			projects
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id		path		string	true	"project id"
//	@Param			force	query		bool	false	"also delete its resources and files"
//	@Success		200		{object}	okEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope	"has resources"
//	@Router			/api/v1/projects/{id} [delete]
func (s *Server) handleProjectDelete(c *gin.Context) {
	force := c.Query("force") == "true"
	if err := s.releases.DeleteProject(c.Request.Context(), principal(c), c.Param("id"), force); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

// handleMemberList godoc
//
//	@Summary	Members of a project
//	@Tags		projects
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"project id"
//	@Success	200	{object}	okEnvelope{data=[]memberView}
//	@Failure	404	{object}	errorEnvelope
//	@Router		/api/v1/projects/{id}/members [get]
func (s *Server) handleMemberList(c *gin.Context) {
	ms, err := s.projects.Members(c.Request.Context(), principal(c), c.Param("id"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]memberView, len(ms))
	for i, m := range ms {
		out[i] = viewMember(m)
	}
	respondOK(c, http.StatusOK, out)
}

type memberRequest struct {
	// UserID, or else Username, names the user to add.
	UserID   string `json:"userId,omitempty"`
	Username string `json:"username,omitempty" example:"bob"`
	Role     string `json:"role,omitempty" enums:"owner,maintainer,viewer" example:"maintainer"`
}

// handleMemberAdd godoc
//
//	@Summary	Add a member by user id or username (owners)
//	@Tags		projects
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string			true	"project id"
//	@Param		body	body		memberRequest	true	"user and role"
//	@Success	201		{object}	okEnvelope{data=memberView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"already a member"
//	@Router		/api/v1/projects/{id}/members [post]
func (s *Server) handleMemberAdd(c *gin.Context) {
	var req memberRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	m, err := s.projects.AddMember(c.Request.Context(), principal(c), c.Param("id"),
		project.NewMember{UserID: req.UserID, Username: req.Username, Role: project.Role(req.Role)})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewMember(m))
}

type memberRoleRequest struct {
	Role string `json:"role,omitempty" enums:"owner,maintainer,viewer" example:"viewer"`
}

// handleMemberUpdate godoc
//
//	@Summary	Change a member's role (owners; the last owner stays owner)
//	@Tags		projects
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string				true	"project id"
//	@Param		userId	path		string				true	"user id"
//	@Param		body	body		memberRoleRequest	true	"role"
//	@Success	200		{object}	okEnvelope{data=memberView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"last owner"
//	@Router		/api/v1/projects/{id}/members/{userId} [patch]
func (s *Server) handleMemberUpdate(c *gin.Context) {
	var req memberRoleRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	m, err := s.projects.UpdateMember(c.Request.Context(), principal(c), c.Param("id"), c.Param("userId"), project.Role(req.Role))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewMember(m))
}

// handleMemberRemove godoc
//
//	@Summary	Remove a member (owners; anyone may leave; the last owner cannot)
//	@Tags		projects
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id		path		string	true	"project id"
//	@Param		userId	path		string	true	"user id"
//	@Success	200		{object}	okEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"last owner"
//	@Router		/api/v1/projects/{id}/members/{userId} [delete]
func (s *Server) handleMemberRemove(c *gin.Context) {
	if err := s.projects.RemoveMember(c.Request.Context(), principal(c), c.Param("id"), c.Param("userId")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}
