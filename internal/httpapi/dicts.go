package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/dict"
)

// dictView is a dictionary with its items.
type dictView struct {
	Code string `json:"code" example:"update_type"`
	// Name and Description are Chinese (the default language), NameEn and
	// DescriptionEn English; an empty one means use the other language's.
	Name          string `json:"name" example:"更新方式"`
	NameEn        string `json:"nameEn" example:"Update types"`
	Description   string `json:"description" example:"应用如何安装更新：征得用户同意、强制或静默"`
	DescriptionEn string `json:"descriptionEn" example:"How an app installs an update: with the user's consent, forced, or silently"`
	// Builtin dictionaries mirror enums of the code: they cannot be
	// deleted, and their items keep their values.
	Builtin     bool           `json:"builtin"`
	Items       []dictItemView `json:"items"`
	CreatedTime time.Time      `json:"createdTime"`
	UpdatedTime time.Time      `json:"updatedTime"`
}

func viewDict(t dict.Type) dictView {
	items := make([]dictItemView, len(t.Items))
	for i, it := range t.Items {
		items[i] = viewDictItem(it)
	}
	return dictView{Code: t.Code, Name: t.Name, NameEn: t.NameEn, Description: t.Description, DescriptionEn: t.DescriptionEn,
		Builtin: t.Builtin, Items: items,
		CreatedTime: t.CreatedTime, UpdatedTime: t.UpdatedTime}
}

// dictItemView is one value of a dictionary.
type dictItemView struct {
	ID      string `json:"id" example:"9436509a33ee8fbb4e7f362171e1403a"`
	Label   string `json:"label" example:"强制更新"`
	LabelEn string `json:"labelEn" example:"Forced"`
	Value   string `json:"value" example:"2"`
	// Color is an ant-design tag colour name or #rrggbb; empty for none.
	Color       string    `json:"color" example:"red"`
	Sort        int       `json:"sort" example:"2"`
	Enabled     bool      `json:"enabled" example:"true"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

func viewDictItem(it dict.Item) dictItemView {
	return dictItemView{ID: it.ID, Label: it.Label, LabelEn: it.LabelEn, Value: it.Value, Color: it.Color, Sort: it.Sort,
		Enabled: it.Enabled, CreatedTime: it.CreatedTime, UpdatedTime: it.UpdatedTime}
}

// handleDictList godoc
//
//	@Summary	Every dictionary with its enabled items, for dropdowns and labels
//	@Tags		dictionaries
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	okEnvelope{data=[]dictView}
//	@Router		/api/v1/dicts [get]
func (s *Server) handleDictList(c *gin.Context) {
	types, err := s.dicts.List(c.Request.Context(), principal(c))
	if err != nil {
		s.respondError(c, err)
		return
	}
	out := make([]dictView, len(types))
	for i, t := range types {
		out[i] = viewDict(t)
	}
	respondOK(c, http.StatusOK, out)
}

type dictCreateRequest struct {
	Code          *string `json:"code,omitempty" example:"device_model"`
	Name          *string `json:"name,omitempty" example:"设备型号"`
	NameEn        *string `json:"nameEn,omitempty" example:"Device models"`
	Description   *string `json:"description,omitempty" example:"设备的型号"`
	DescriptionEn *string `json:"descriptionEn,omitempty" example:"Device models of the fleet"`
}

// handleDictCreate godoc
//
//	@Summary	Create a dictionary (administrators)
//	@Tags		dictionaries
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		body	body		dictCreateRequest	true	"code: ^[a-z][a-z0-9_]{1,49}$"
//	@Success	201		{object}	okEnvelope{data=dictView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"code taken"
//	@Router		/api/v1/dicts [post]
func (s *Server) handleDictCreate(c *gin.Context) {
	var req dictCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	t, err := s.dicts.Create(c.Request.Context(), principal(c), dict.TypeFields{Code: req.Code, Name: req.Name, NameEn: req.NameEn,
		Description: req.Description, DescriptionEn: req.DescriptionEn})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewDict(t))
}

// handleDictGet godoc
//
//	@Summary	A dictionary: with every item for administrators, the enabled ones for others
//	@Tags		dictionaries
//	@Produce	json
//	@Security	BearerAuth
//	@Param		code	path		string	true	"dictionary code"
//	@Success	200		{object}	okEnvelope{data=dictView}
//	@Failure	404		{object}	errorEnvelope
//	@Router		/api/v1/dicts/{code} [get]
func (s *Server) handleDictGet(c *gin.Context) {
	t, err := s.dicts.Get(c.Request.Context(), principal(c), c.Param("code"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewDict(t))
}

type dictUpdateRequest struct {
	Name          *string `json:"name,omitempty" example:"设备型号"`
	NameEn        *string `json:"nameEn,omitempty" example:"Device models"`
	Description   *string `json:"description,omitempty"`
	DescriptionEn *string `json:"descriptionEn,omitempty"`
}

// handleDictUpdate godoc
//
//	@Summary	Rename a dictionary or change its description (administrators)
//	@Tags		dictionaries
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		code	path		string				true	"dictionary code"
//	@Param		body	body		dictUpdateRequest	true	"fields to change"
//	@Success	200		{object}	okEnvelope{data=dictView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Router		/api/v1/dicts/{code} [patch]
func (s *Server) handleDictUpdate(c *gin.Context) {
	var req dictUpdateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	t, err := s.dicts.Update(c.Request.Context(), principal(c), c.Param("code"), dict.TypeFields{Name: req.Name, NameEn: req.NameEn,
		Description: req.Description, DescriptionEn: req.DescriptionEn})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewDict(t))
}

// handleDictDelete godoc
//
//	@Summary	Delete a dictionary and its items (administrators; not built-in ones)
//	@Tags		dictionaries
//	@Produce	json
//	@Security	BearerAuth
//	@Param		code	path		string	true	"dictionary code"
//	@Success	200		{object}	okEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"built-in dictionary"
//	@Router		/api/v1/dicts/{code} [delete]
func (s *Server) handleDictDelete(c *gin.Context) {
	if err := s.dicts.Delete(c.Request.Context(), principal(c), c.Param("code")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

type dictItemRequest struct {
	Label   *string `json:"label,omitempty" example:"强制更新"`
	LabelEn *string `json:"labelEn,omitempty" example:"Forced"`
	Value   *string `json:"value,omitempty" example:"2"`
	Color   *string `json:"color,omitempty" example:"red"`
	Sort    *int    `json:"sort,omitempty" example:"2"`
	Enabled *bool   `json:"enabled,omitempty" example:"true"`
}

func (r dictItemRequest) fields() dict.ItemFields {
	return dict.ItemFields{Label: r.Label, LabelEn: r.LabelEn, Value: r.Value, Color: r.Color, Sort: r.Sort, Enabled: r.Enabled}
}

// handleDictItemCreate godoc
//
//	@Summary	Add an item to a dictionary (administrators; not to built-in ones)
//	@Tags		dictionaries
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		code	path		string			true	"dictionary code"
//	@Param		body	body		dictItemRequest	true	"label and value required; enabled by default"
//	@Success	201		{object}	okEnvelope{data=dictItemView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"value taken, or a built-in dictionary"
//	@Router		/api/v1/dicts/{code}/items [post]
func (s *Server) handleDictItemCreate(c *gin.Context) {
	var req dictItemRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	it, err := s.dicts.CreateItem(c.Request.Context(), principal(c), c.Param("code"), req.fields())
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewDictItem(it))
}

// handleDictItemUpdate godoc
//
//	@Summary	Change a dictionary item (administrators; built-in items keep their value)
//	@Tags		dictionaries
//	@Accept		json
//	@Produce	json
//	@Security	BearerAuth
//	@Param		code	path		string			true	"dictionary code"
//	@Param		id		path		string			true	"item id"
//	@Param		body	body		dictItemRequest	true	"fields to change"
//	@Success	200		{object}	okEnvelope{data=dictItemView}
//	@Failure	400		{object}	errorEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"value taken, or a built-in item's value"
//	@Router		/api/v1/dicts/{code}/items/{id} [patch]
func (s *Server) handleDictItemUpdate(c *gin.Context) {
	var req dictItemRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	it, err := s.dicts.UpdateItem(c.Request.Context(), principal(c), c.Param("code"), c.Param("id"), req.fields())
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewDictItem(it))
}

// handleDictItemDelete godoc
//
//	@Summary	Delete a dictionary item (administrators; built-in items can only be disabled)
//	@Tags		dictionaries
//	@Produce	json
//	@Security	BearerAuth
//	@Param		code	path		string	true	"dictionary code"
//	@Param		id		path		string	true	"item id"
//	@Success	200		{object}	okEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Failure	409		{object}	errorEnvelope	"built-in dictionary"
//	@Router		/api/v1/dicts/{code}/items/{id} [delete]
func (s *Server) handleDictItemDelete(c *gin.Context) {
	if err := s.dicts.DeleteItem(c.Request.Context(), principal(c), c.Param("code"), c.Param("id")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}
