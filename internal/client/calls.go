package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Register creates an account and makes its session the client's.
func (c *Client) Register(ctx context.Context, r Registration) (Session, error) {
	var s Session
	if err := c.call(ctx, http.MethodPost, "/api/v1/auth/register", r, &s); err != nil {
		return Session{}, err
	}
	c.useSession(s)
	return s, nil
}

// Login logs in with username and password and makes the session the
// client's: later calls send its access token.
func (c *Client) Login(ctx context.Context, username, password string) (Session, error) {
	body := struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}{username, password}
	var s Session
	if err := c.call(ctx, http.MethodPost, "/api/v1/auth/login", body, &s); err != nil {
		return Session{}, err
	}
	c.useSession(s)
	return s, nil
}

// Refresh exchanges the session's refresh token (single use) for a new
// session, which becomes the client's. Without a session it is an
// *Error with status 401 from the server.
func (c *Client) Refresh(ctx context.Context) (Session, error) {
	c.mu.Lock()
	body := struct {
		RefreshToken string `json:"refreshToken"`
	}{c.refresh}
	c.mu.Unlock()
	var s Session
	if err := c.call(ctx, http.MethodPost, "/api/v1/auth/refresh", body, &s); err != nil {
		return Session{}, err
	}
	c.useSession(s)
	return s, nil
}

// Me returns the user the token belongs to.
func (c *Client) Me(ctx context.Context) (User, error) {
	var u User
	return u, c.call(ctx, http.MethodGet, "/api/v1/me", nil, &u)
}

// CreateAPIToken creates an API token of the logged-in user (it needs a
// login session, not an API token).
func (c *Client) CreateAPIToken(ctx context.Context, t NewAPIToken) (APIToken, error) {
	var out APIToken
	return out, c.call(ctx, http.MethodPost, "/api/v1/me/tokens", t, &out)
}

// Projects returns every project the caller can see, all pages.
func (c *Client) Projects(ctx context.Context) ([]Project, error) {
	return listAll[Project](ctx, c, "/api/v1/projects", url.Values{})
}

// CreateProject creates a project owned by the caller.
func (c *Client) CreateProject(ctx context.Context, name, description string) (Project, error) {
	body := struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
	}{name, description}
	var p Project
	return p, c.call(ctx, http.MethodPost, "/api/v1/projects", body, &p)
}

// CreateProduct creates a device product in a project.
func (c *Client) CreateProduct(ctx context.Context, p NewProduct) (Product, error) {
	var out Product
	return out, c.call(ctx, http.MethodPost, "/api/v1/products", p, &out)
}

// Resources returns a project's resources, all pages.
func (c *Client) Resources(ctx context.Context, projectID string, f ResourceFilter) ([]Resource, error) {
	q := url.Values{}
	if f.Type != 0 {
		q.Set("type", strconv.Itoa(f.Type))
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.Channel != "" {
		q.Set("channel", f.Channel)
	}
	if f.SortKey != "" {
		q.Set("sortKey", f.SortKey)
	}
	if f.Order != "" {
		q.Set("order", f.Order)
	}
	return listAll[Resource](ctx, c, "/api/v1/projects/"+esc(projectID)+"/resources", q)
}

// Resource returns one resource.
func (c *Client) Resource(ctx context.Context, id string) (Resource, error) {
	var r Resource
	return r, c.call(ctx, http.MethodGet, "/api/v1/resources/"+esc(id), nil, &r)
}

// CreateResource publishes a resource in a project.
func (c *Client) CreateResource(ctx context.Context, projectID string, r NewResource) (Resource, error) {
	var out Resource
	return out, c.call(ctx, http.MethodPost, "/api/v1/projects/"+esc(projectID)+"/resources", r, &out)
}

// UpdateResource changes the fields of a resource that p sets.
func (c *Client) UpdateResource(ctx context.Context, id string, p ResourcePatch) (Resource, error) {
	var out Resource
	return out, c.call(ctx, http.MethodPatch, "/api/v1/resources/"+esc(id), p, &out)
}

// Promote copies a resource into another channel (rolloutPercent nil:
// 100).
func (c *Client) Promote(ctx context.Context, id, channel string, rolloutPercent *int) (Resource, error) {
	var out Resource
	body := struct {
		Channel        string `json:"channel"`
		RolloutPercent *int   `json:"rolloutPercent,omitempty"`
	}{channel, rolloutPercent}
	return out, c.call(ctx, http.MethodPost, "/api/v1/resources/"+esc(id)+"/promote", body, &out)
}

// Rollback withdraws a published resource and, for a wgt, re-publishes the
// previous one under the next versionCode.
func (c *Client) Rollback(ctx context.Context, id string) (Rolled, error) {
	var out Rolled
	return out, c.call(ctx, http.MethodPost, "/api/v1/resources/"+esc(id)+"/rollback", nil, &out)
}

// CreateCampaign starts an OTA campaign.
func (c *Client) CreateCampaign(ctx context.Context, n NewCampaign) (Campaign, error) {
	var out Campaign
	return out, c.call(ctx, http.MethodPost, "/api/v1/ota/campaigns", n, &out)
}

// Campaign returns an OTA campaign with its current counts.
func (c *Client) Campaign(ctx context.Context, id string) (Campaign, error) {
	var out Campaign
	return out, c.call(ctx, http.MethodGet, "/api/v1/ota/campaigns/"+esc(id), nil, &out)
}

// ResumeCampaign sends a campaign's command again to its devices in a
// non-final state.
func (c *Client) ResumeCampaign(ctx context.Context, id string) (Resumed, error) {
	var out Resumed
	return out, c.call(ctx, http.MethodPost, "/api/v1/ota/campaigns/"+esc(id)+"/resume", nil, &out)
}

// PauseCampaign pauses a campaign with waves: no further wave starts.
func (c *Client) PauseCampaign(ctx context.Context, id string) (Campaign, error) {
	var out Campaign
	return out, c.call(ctx, http.MethodPost, "/api/v1/ota/campaigns/"+esc(id)+"/pause", nil, &out)
}

// AdvanceCampaign starts a campaign's next wave now.
func (c *Client) AdvanceCampaign(ctx context.Context, id string) (Campaign, error) {
	var out Campaign
	return out, c.call(ctx, http.MethodPost, "/api/v1/ota/campaigns/"+esc(id)+"/advance", nil, &out)
}

// AbortCampaign cancels what is left of a campaign.
func (c *Client) AbortCampaign(ctx context.Context, id string) (Campaign, error) {
	var out Campaign
	return out, c.call(ctx, http.MethodPost, "/api/v1/ota/campaigns/"+esc(id)+"/abort", nil, &out)
}

// CampaignEvents returns a campaign's wave starts, pauses, resumes and
// end, oldest first (all pages).
func (c *Client) CampaignEvents(ctx context.Context, id string) ([]CampaignEvent, error) {
	return listAll[CampaignEvent](ctx, c, "/api/v1/ota/campaigns/"+esc(id)+"/events", url.Values{"order": {"ASC"}})
}

// CreateDevice registers a device of a product; the answer carries its
// secret, this once.
func (c *Client) CreateDevice(ctx context.Context, product string, d NewDevice) (IssuedDevice, error) {
	var out IssuedDevice
	return out, c.call(ctx, http.MethodPost, "/api/v1/products/"+esc(product)+"/devices", d, &out)
}
