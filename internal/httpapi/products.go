package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/device"
)

// productView is a device product with its device counts.
type productView struct {
	Name        string    `json:"name" example:"thermo"`
	ProjectID   string    `json:"projectId" example:"866116d35b382bb6e1ae0cbb484b9950"`
	Description string    `json:"description" example:"Thermostat v2"`
	DeviceCount int64     `json:"deviceCount" example:"1200"`
	OnlineCount int64     `json:"onlineCount" example:"1032"`
	CreatedTime time.Time `json:"createdTime"`
	UpdatedTime time.Time `json:"updatedTime"`
}

func viewProduct(p device.Product) productView {
	return productView{Name: p.Name, ProjectID: p.ProjectID, Description: p.Description, DeviceCount: p.DeviceCount,
		OnlineCount: p.OnlineCount, CreatedTime: p.CreatedTime, UpdatedTime: p.UpdatedTime}
}

// handleProductList godoc
//
//	@Summary	Device products of the projects I can see (all for administrators)
//	@Tags		devices
//	@Produce	json
//	@Security	BearerAuth
//	@Param		projectId	query		string	false	"only this project's products"
//	@Param		search		query		string	false	"name prefix (case-sensitive)"
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"createdTime or name"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[productView]}
//	@Failure	400			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope	"projectId names a project I cannot see"
//	@Router		/api/v1/products [get]
func (s *Server) handleProductList(c *gin.Context) {
	pg, err := parsePage(c, device.ProductSortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	f := device.ProductFilter{ProjectID: c.Query("projectId"), Search: c.Query("search")}
	items, total, err := s.devices.ListProducts(c.Request.Context(), principal(c), f, pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewProduct)
}

type productCreateRequest struct {
	// Name is global (MQTT usernames and topics are {product}/{device}).
	Name        string `json:"name,omitempty" example:"thermo"`
	ProjectID   string `json:"projectId,omitempty" example:"866116d35b382bb6e1ae0cbb484b9950"`
	Description string `json:"description,omitempty" example:"Thermostat v2"`
}

// handleProductCreate godoc
//
//	@Summary		Create a device product in a project (maintainers, owners)
//	@Description	name: 1-64 of A-Z a-z 0-9 _ . - and unique across all projects, as it is the first level of the devices' MQTT usernames and topics. It cannot be changed later.
//	@Tags			devices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		productCreateRequest	true	"product"
//	@Success		201		{object}	okEnvelope{data=productView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope	"no such project, or not mine"
//	@Failure		409		{object}	errorEnvelope	"name taken"
//	@Router			/api/v1/products [post]
func (s *Server) handleProductCreate(c *gin.Context) {
	var req productCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.devices.CreateProduct(c.Request.Context(), principal(c),
		device.ProductFields{Name: req.Name, ProjectID: req.ProjectID, Description: req.Description})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewProduct(p))
}

// handleProductGet godoc
//
//	@Summary	A device product with its device counts
//	@Tags		devices
//	@Produce	json
//	@Security	BearerAuth
//	@Param		product	path		string	true	"product name"
//	@Success	200		{object}	okEnvelope{data=productView}
//	@Failure	404		{object}	errorEnvelope	"no such product, or not mine"
//	@Router		/api/v1/products/{product} [get]
func (s *Server) handleProductGet(c *gin.Context) {
	p, err := s.devices.Product(c.Request.Context(), principal(c), c.Param("product"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewProduct(p))
}

type productPatchRequest struct {
	Description *string `json:"description,omitempty" example:"Thermostat v2"`
}

// handleProductUpdate godoc
//
//	@Summary		Change a device product's description (maintainers, owners)
//	@Description	The name and the project are fixed.
//	@Tags			devices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string				true	"product name"
//	@Param			body	body		productPatchRequest	true	"fields to change"
//	@Success		200		{object}	okEnvelope{data=productView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/products/{product} [patch]
func (s *Server) handleProductUpdate(c *gin.Context) {
	var req productPatchRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	p, err := s.devices.UpdateProduct(c.Request.Context(), principal(c), c.Param("product"),
		device.ProductPatch{Description: req.Description})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewProduct(p))
}

// handleProductDelete godoc
//
//	@Summary		Delete a device product (maintainers, owners)
//	@Description	A product with devices is kept (409) unless force=true, which only project owners may use and which deletes its devices too.
//	@Tags			devices
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string	true	"product name"
//	@Param			force	query		bool	false	"also delete its devices (owners)"
//	@Success		200		{object}	okEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope	"has devices"
//	@Router			/api/v1/products/{product} [delete]
func (s *Server) handleProductDelete(c *gin.Context) {
	force := c.Query("force") == "true"
	if err := s.devices.DeleteProduct(c.Request.Context(), principal(c), c.Param("product"), force); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}
