package release

import (
	"context"
	"fmt"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// ProductOwner tells which project a device product belongs to: the
// device registry. ProductProject returns an apperr NotFound error when
// there is no such product.
type ProductOwner interface {
	ProductProject(ctx context.Context, product string) (string, error)
}

// SetProductOwner makes Create check that a firmware resource's product is
// a product of the resource's project. Without one (tests of other rules)
// any valid product name is accepted. Call it before serving.
func (s *Service) SetProductOwner(po ProductOwner) { s.products = po }

// checkFirmwareProduct refuses a firmware resource whose product is
// unknown or belongs to another project.
func (s *Service) checkFirmwareProduct(ctx context.Context, projectID, product string) error {
	if s.products == nil {
		return nil
	}
	owner, err := s.products.ProductProject(ctx, product)
	switch {
	case apperr.Is(err, apperr.NotFound) || (err == nil && owner != projectID):
		return apperr.Fields(apperr.FieldError{Field: "product", Message: "must be a device product of this project"})
	case err != nil:
		return fmt.Errorf("release: firmware product %s: %w", product, err)
	}
	return nil
}
