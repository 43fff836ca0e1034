// Package bus tells every Hoist node that a project's releases changed, so
// each drops its cached update-check answer. A node's own changes do not go
// through the bus (they invalidate locally, at once); a Bus carries them to
// the other nodes at once (Redis pub/sub, in redisx), and the Poller through
// the database within a poll interval, whether or not Redis is up. Nothing
// here imports an SDK.
package bus

import "context"

// Bus announces release changes to the other nodes as they happen.
// Delivery is best effort: an announcement made while a node is
// disconnected is missed, and the Poller carries it.
type Bus interface {
	// Publish announces a change of a project's releases. A failure is
	// logged, not returned: the change is committed already.
	Publish(ctx context.Context, projectID string)
	// Run calls fn with every project id announced while it runs, until
	// ctx ends; then it returns nil. It keeps trying through outages.
	Run(ctx context.Context, fn func(projectID string)) error
}
