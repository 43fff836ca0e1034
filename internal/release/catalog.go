package release

import (
	"context"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Catalog is what the update check needs of a project: its enabled app
// resources with their download URLs. It is loaded once per change and
// cached; it is not filtered per principal (the update check is public).
type Catalog struct {
	Resources []Resource
	// URLs[i] is the download URL of Resources[i]: its stable link
	// (Resource.DownloadPath, a path the HTTP layer makes absolute), or the
	// stored URL of a resource without a file.
	URLs []string
	// Channels names the project's channels besides DefaultChannel.
	Channels []string
	// Pins maps pinned devices' keys (uuid or deviceId) to their channel.
	Pins map[string]string
	// CodePush holds every CodePush release (types 6, 7), disabled ones
	// too, and Keys the project's deployment keys.
	CodePush []Resource
	Keys     []DeploymentKey
	// ValidUntil is when the catalog should be reloaded even without a
	// change announcement.
	ValidUntil time.Time
}

// maxCatalogAge bounds how long a cached answer lives even without a
// change: it heals a node that missed another node's announcement.
const maxCatalogAge = 5 * time.Minute

// Catalog loads a project's offerable resources for the public update
// check. NotFound when the project does not exist.
func (s *Service) Catalog(ctx context.Context, projectID string) (Catalog, error) {
	ok, err := s.store.ProjectExists(ctx, projectID)
	if err != nil {
		return Catalog{}, fmt.Errorf("release: catalog %s: %w", projectID, err)
	}
	if !ok {
		return Catalog{}, apperr.New(apperr.NotFound, "project not found")
	}
	rs, err := s.store.EnabledResources(ctx, projectID)
	if err != nil {
		return Catalog{}, fmt.Errorf("release: catalog %s: %w", projectID, err)
	}
	chs, err := s.store.Channels(ctx, projectID)
	if err != nil {
		return Catalog{}, fmt.Errorf("release: catalog %s: %w", projectID, err)
	}
	pins, err := s.store.Pins(ctx, projectID, "")
	if err != nil {
		return Catalog{}, fmt.Errorf("release: catalog %s: %w", projectID, err)
	}
	cps, err := s.store.CodePushResources(ctx, projectID)
	if err != nil {
		return Catalog{}, fmt.Errorf("release: catalog %s: %w", projectID, err)
	}
	keys, err := s.store.DeploymentKeys(ctx, projectID)
	if err != nil {
		return Catalog{}, fmt.Errorf("release: catalog %s: %w", projectID, err)
	}
	// Stable links never expire: the link signs a fresh storage URL at
	// each download.
	c := Catalog{ValidUntil: s.now().Add(maxCatalogAge), CodePush: cps, Keys: keys}
	for _, ch := range chs {
		if ch.Name != DefaultChannel {
			c.Channels = append(c.Channels, ch.Name)
		}
	}
	if len(pins) > 0 {
		c.Pins = make(map[string]string, len(pins))
		for _, p := range pins {
			c.Pins[p.DeviceKey] = p.Channel
		}
	}
	for _, r := range rs {
		if r.Type == TypeFirmware {
			continue
		}
		u := r.DownloadPath()
		if u == "" {
			u = r.URL
		}
		c.Resources = append(c.Resources, r)
		c.URLs = append(c.URLs, u)
	}
	s.known.replace(projectID, c.Resources)
	return c, nil
}

// CatalogResource loads one resource of a project as Catalog would list
// it: in reports whether it is in the catalog (enabled, of the project,
// not firmware); a deleted resource is not. url is its download URL.
func (s *Service) CatalogResource(ctx context.Context, projectID, id string) (r Resource, url string, in bool, err error) {
	r, err = s.store.Resource(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return Resource{}, "", false, nil
	}
	if err != nil {
		return Resource{}, "", false, fmt.Errorf("release: catalog resource %s: %w", id, err)
	}
	if r.ProjectID != projectID || r.Status != StatusEnabled || r.Type == TypeFirmware {
		return r, "", false, nil
	}
	url = r.DownloadPath()
	if url == "" {
		url = r.URL
	}
	s.known.put(projectID, r)
	return r, url, true, nil
}
