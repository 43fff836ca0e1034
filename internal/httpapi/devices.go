package httpapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// maxBatchBodyBytes bounds a device batch body: 10 000 devices with long
// names and 20 tags each fit.
const maxBatchBodyBytes = 16 << 20

// deviceView is a device as the API shows it (never its secret or hash).
type deviceView struct {
	Product string   `json:"product" example:"thermo"`
	Name    string   `json:"name" example:"dev-0001"`
	Tags    []string `json:"tags" example:"floor-2,beta" extensions:"x-nullable"`
	Online  bool     `json:"online"`
	// LastSeenAt is the last connect, disconnect or report; null if never.
	LastSeenAt *time.Time `json:"lastSeenAt" extensions:"x-nullable"`
	LastIP     string     `json:"lastIp" example:"203.0.113.7"`
	// LastStatus is the last status report as the device sent it (a JSON
	// object), null when none.
	LastStatus      json.RawMessage `json:"lastStatus" swaggertype:"object" extensions:"x-nullable"`
	FirmwareVersion string          `json:"firmwareVersion" example:"1.4.2"`
	CreatedTime     time.Time       `json:"createdTime"`
	UpdatedTime     time.Time       `json:"updatedTime"`
}

func viewDevice(d device.Device) deviceView {
	return deviceView{Product: d.Product, Name: d.Name, Tags: d.Tags, Online: d.Online, LastSeenAt: d.LastSeenAt,
		LastIP: d.LastIP, LastStatus: d.LastStatus, FirmwareVersion: d.FirmwareVersion,
		CreatedTime: d.CreatedTime, UpdatedTime: d.UpdatedTime}
}

// mqttIdentityView is how a device connects to the broker (PROTOCOLS §3);
// its password is the secret.
type mqttIdentityView struct {
	Username       string `json:"username" example:"thermo/dev-0001"`
	ClientIDPrefix string `json:"clientIdPrefix" example:"thermo/dev-0001"`
}

// issuedDeviceView is a device when its secret is made, the only time the
// secret is shown.
type issuedDeviceView struct {
	deviceView
	Secret string           `json:"secret" example:"hsd_q3Zk0c9Lr2Xw..."`
	MQTT   mqttIdentityView `json:"mqtt"`
}

func viewIssued(d device.Issued) issuedDeviceView {
	u := d.MQTTUsername()
	return issuedDeviceView{deviceView: viewDevice(d.Device), Secret: d.Secret, MQTT: mqttIdentityView{Username: u, ClientIDPrefix: u}}
}

// handleDeviceList godoc
//
//	@Summary	Devices of a product
//	@Tags		devices
//	@Produce	json
//	@Security	BearerAuth
//	@Param		product		path		string	true	"product name"
//	@Param		tag			query		string	false	"only devices with this tag"
//	@Param		online		query		bool	false	"only online (true) or offline (false) devices"
//	@Param		search		query		string	false	"name prefix (case-sensitive)"
//	@Param		pageNum		query		int		false	"page, from 1"
//	@Param		pageSize	query		int		false	"records per page (max 100)"
//	@Param		sortKey		query		string	false	"createdTime, name or lastSeen"
//	@Param		order		query		string	false	"ASC or DESC"
//	@Success	200			{object}	okEnvelope{data=listView[deviceView]}
//	@Failure	400			{object}	errorEnvelope
//	@Failure	404			{object}	errorEnvelope
//	@Router		/api/v1/products/{product}/devices [get]
func (s *Server) handleDeviceList(c *gin.Context) {
	pg, err := parsePage(c, device.DeviceSortKeys)
	if err != nil {
		s.respondError(c, err)
		return
	}
	f := device.DeviceFilter{Tag: c.Query("tag"), Search: c.Query("search")}
	switch c.Query("online") {
	case "":
	case "true", "false":
		on := c.Query("online") == "true"
		f.Online = &on
	default:
		s.respondError(c, apperr.Fields(apperr.FieldError{Field: "online", Message: "must be true or false"}))
		return
	}
	items, total, err := s.devices.ListDevices(c.Request.Context(), principal(c), c.Param("product"), f, pg)
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondList(c, pg, items, total, viewDevice)
}

type deviceCreateRequest struct {
	Name string   `json:"name,omitempty" example:"dev-0001"`
	Tags []string `json:"tags,omitempty" example:"floor-2,beta"`
}

// handleDeviceCreate godoc
//
//	@Summary		Register a device (maintainers, owners)
//	@Description	Returns the device secret, its MQTT password, this once: only a hash is kept. name and tags: 1-64 of A-Z a-z 0-9 _ . - ; at most 20 tags.
//	@Tags			devices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string				true	"product name"
//	@Param			body	body		deviceCreateRequest	true	"device"
//	@Success		201		{object}	okEnvelope{data=issuedDeviceView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope	"name taken"
//	@Router			/api/v1/products/{product}/devices [post]
func (s *Server) handleDeviceCreate(c *gin.Context) {
	var req deviceCreateRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	d, err := s.devices.CreateDevice(c.Request.Context(), principal(c), c.Param("product"), device.NewDevice{Name: req.Name, Tags: req.Tags})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusCreated, viewIssued(d))
}

type deviceBatchRequest struct {
	Devices []deviceCreateRequest `json:"devices,omitempty"`
}

// deviceBatchView is the answer of a batch: every device with its secret,
// in the order given.
type deviceBatchView struct {
	Count   int                `json:"count" example:"2"`
	Devices []issuedDeviceView `json:"devices"`
}

// handleDeviceBatch godoc
//
//	@Summary		Register up to 10 000 devices at once (maintainers, owners)
//	@Description	Body: JSON {"devices":[{"name":"d1","tags":["a"]},...]} or text/csv with the header name,tags (tags separated by ; or | in their cell); with `Content-Type: text/csv; header=absent` (RFC 4180) there is no header line and the columns are name,tags. All or nothing: an invalid device is 400 (JSON: errors name devices[i].name, i from 0 in the order given; CSV: lines[n].name and lines[n].tags, n the line as the file numbers it, from 1), a name repeated or already taken is 409 naming the first 20, more than 10 000 devices is 413. Returns every device with its secret, this once. Both paths work: .../devices:batch and .../devices/batch.
//	@Tags			devices
//	@Accept			json
//	@Accept			text/csv
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string				true	"product name"
//	@Param			body	body		deviceBatchRequest	true	"devices (or CSV)"
//	@Success		201		{object}	okEnvelope{data=deviceBatchView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Failure		409		{object}	errorEnvelope	"names repeated or taken; nothing created"
//	@Failure		413		{object}	errorEnvelope	"more than 10 000 devices, or a body over 16 MiB"
//	@Router			/api/v1/products/{product}/devices:batch [post]
//	@Router			/api/v1/products/{product}/devices/batch [post]
func (s *Server) handleDeviceBatch(c *gin.Context) {
	ns, err := bindBatch(c)
	if err != nil {
		s.respondError(c, err)
		return
	}
	out, err := s.devices.CreateDevices(c.Request.Context(), principal(c), c.Param("product"), ns)
	if err != nil {
		s.respondError(c, err)
		return
	}
	v := deviceBatchView{Count: len(out), Devices: make([]issuedDeviceView, len(out))}
	for i, d := range out {
		v.Devices[i] = viewIssued(d)
	}
	respondOK(c, http.StatusCreated, v)
}

// bindBatch reads a device batch as JSON or, by Content-Type, CSV.
func bindBatch(c *gin.Context) ([]device.NewDevice, error) {
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "text/csv", "application/csv":
		// RFC 4180's header parameter: absent means the first line is a device.
		return device.ParseCSV(c.Request.Body, !strings.EqualFold(params["header"], "absent"))
	case "application/json", "":
		var req deviceBatchRequest
		if err := bindJSON(c, &req); err != nil {
			return nil, err
		}
		ns := make([]device.NewDevice, len(req.Devices))
		for i, d := range req.Devices {
			ns[i] = device.NewDevice{Name: d.Name, Tags: d.Tags}
		}
		return ns, nil
	}
	return nil, apperr.New(apperr.Invalid, "Content-Type must be application/json or text/csv")
}

// handleDeviceGet godoc
//
//	@Summary	A device (without its secret)
//	@Tags		devices
//	@Produce	json
//	@Security	BearerAuth
//	@Param		product	path		string	true	"product name"
//	@Param		device	path		string	true	"device name"
//	@Success	200		{object}	okEnvelope{data=deviceView}
//	@Failure	404		{object}	errorEnvelope
//	@Router		/api/v1/products/{product}/devices/{device} [get]
func (s *Server) handleDeviceGet(c *gin.Context) {
	d, err := s.devices.Device(c.Request.Context(), principal(c), c.Param("product"), c.Param("device"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewDevice(d))
}

type devicePatchRequest struct {
	// Tags replace the device's tags.
	Tags *[]string `json:"tags,omitempty" example:"floor-2,beta"`
}

// handleDeviceUpdate godoc
//
//	@Summary		Change a device's tags (maintainers, owners)
//	@Description	tags replaces the whole list. The name is fixed (it is the device's MQTT identity).
//	@Tags			devices
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string				true	"product name"
//	@Param			device	path		string				true	"device name"
//	@Param			body	body		devicePatchRequest	true	"fields to change"
//	@Success		200		{object}	okEnvelope{data=deviceView}
//	@Failure		400		{object}	errorEnvelope
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/products/{product}/devices/{device} [patch]
func (s *Server) handleDeviceUpdate(c *gin.Context) {
	var req devicePatchRequest
	if err := bindJSON(c, &req); err != nil {
		s.respondError(c, err)
		return
	}
	d, err := s.devices.UpdateDevice(c.Request.Context(), principal(c), c.Param("product"), c.Param("device"),
		device.DevicePatch{Tags: req.Tags})
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewDevice(d))
}

// handleDeviceDelete godoc
//
//	@Summary	Delete a device (maintainers, owners)
//	@Tags		devices
//	@Produce	json
//	@Security	BearerAuth
//	@Param		product	path		string	true	"product name"
//	@Param		device	path		string	true	"device name"
//	@Success	200		{object}	okEnvelope
//	@Failure	403		{object}	errorEnvelope
//	@Failure	404		{object}	errorEnvelope
//	@Router		/api/v1/products/{product}/devices/{device} [delete]
func (s *Server) handleDeviceDelete(c *gin.Context) {
	if err := s.devices.DeleteDevice(c.Request.Context(), principal(c), c.Param("product"), c.Param("device")); err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, nil)
}

// handleDeviceSecret godoc
//
//	@Summary		Give a device a new secret (maintainers, owners)
//	@Description	The old secret stops working for new connections at once. Returns the new one this once.
//	@Tags			devices
//	@Produce		json
//	@Security		BearerAuth
//	@Param			product	path		string	true	"product name"
//	@Param			device	path		string	true	"device name"
//	@Success		200		{object}	okEnvelope{data=issuedDeviceView}
//	@Failure		403		{object}	errorEnvelope
//	@Failure		404		{object}	errorEnvelope
//	@Router			/api/v1/products/{product}/devices/{device}/secret [post]
func (s *Server) handleDeviceSecret(c *gin.Context) {
	d, err := s.devices.RotateSecret(c.Request.Context(), principal(c), c.Param("product"), c.Param("device"))
	if err != nil {
		s.respondError(c, err)
		return
	}
	respondOK(c, http.StatusOK, viewIssued(d))
}
