package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/release"
)

type rolloutPlanRow struct {
	ResourceID   string `gorm:"primaryKey"`
	ProjectID    string
	Stages       string
	Gates        string
	Stage        int
	State        string
	StageStarted time.Time
	UpdatedTime  time.Time
}

func (rolloutPlanRow) TableName() string { return "rollout_plans" }

type rolloutEventRow struct {
	ID          int64 `gorm:"primaryKey"`
	ResourceID  string
	At          time.Time
	Actor       string
	Action      string
	FromPercent int
	ToPercent   int
	Reason      string
	Numbers     string
}

func (rolloutEventRow) TableName() string { return "rollout_events" }

// stageJSON and gatesJSON are the stored forms (durations in seconds).
type stageJSON struct {
	Percent    int   `json:"percent"`
	MinSeconds int64 `json:"minSeconds"`
}

type gatesJSON struct {
	MinDownloaded        int64 `json:"minDownloaded"`
	MinAppliedPercent    int   `json:"minAppliedPercent"`
	MaxNotAppliedPercent int   `json:"maxNotAppliedPercent"`
}

func fromPlan(p release.Plan) rolloutPlanRow {
	st := make([]stageJSON, len(p.Stages))
	for i, s := range p.Stages {
		st[i] = stageJSON{s.Percent, int64(s.MinDuration / time.Second)}
	}
	sb, _ := json.Marshal(st)
	gb, _ := json.Marshal(gatesJSON(p.Gates))
	return rolloutPlanRow{p.ResourceID, p.ProjectID, string(sb), string(gb), p.Stage, string(p.State), p.StageStarted.UTC(), p.UpdatedTime.UTC()}
}

func (r rolloutPlanRow) toPlan() (release.Plan, error) {
	var st []stageJSON
	var g gatesJSON
	if err := json.Unmarshal([]byte(r.Stages), &st); err != nil {
		return release.Plan{}, fmt.Errorf("store: plan %s stages: %w", r.ResourceID, err)
	}
	if err := json.Unmarshal([]byte(r.Gates), &g); err != nil {
		return release.Plan{}, fmt.Errorf("store: plan %s gates: %w", r.ResourceID, err)
	}
	p := release.Plan{ResourceID: r.ResourceID, ProjectID: r.ProjectID, Gates: release.Gates(g), Stage: r.Stage,
		State: release.PlanState(r.State), StageStarted: r.StageStarted.UTC(), UpdatedTime: r.UpdatedTime.UTC()}
	for _, s := range st {
		p.Stages = append(p.Stages, release.Stage{Percent: s.Percent, MinDuration: time.Duration(s.MinSeconds) * time.Second})
	}
	if len(p.Stages) == 0 || p.Stage < 0 || p.Stage >= len(p.Stages) {
		return release.Plan{}, fmt.Errorf("store: plan %s: stage %d of %d", r.ResourceID, p.Stage, len(p.Stages))
	}
	return p, nil
}

func fromEvent(e release.PlanEvent) rolloutEventRow {
	nb, _ := json.Marshal(e.Numbers)
	return rolloutEventRow{ResourceID: e.ResourceID, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
		FromPercent: e.FromPercent, ToPercent: e.ToPercent, Reason: truncate(e.Reason, 512), Numbers: string(nb)}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

type rollouts struct{ s *Store }

// Rollouts returns the release.RolloutStore view of s.
func (s *Store) Rollouts() release.RolloutStore { return rollouts{s} }

// setPercent writes a resource's rollout percent inside tx.
func setPercent(ctx context.Context, tx *Store, resourceID string, percent int, at time.Time) error {
	return tx.db.WithContext(ctx).Model(&resourceRow{ID: resourceID}).
		Updates(map[string]any{"rollout_percent": percent, "updated_at": at.UTC()}).Error
}

func (rs rollouts) SavePlan(ctx context.Context, p release.Plan, ev release.PlanEvent) error {
	row, er := fromPlan(p), fromEvent(ev)
	err := rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		if err := db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&row).Error; err != nil {
			return err
		}
		if err := setPercent(ctx, tx, p.ResourceID, p.Percent(), p.UpdatedTime); err != nil {
			return err
		}
		return db.Create(&er).Error
	})
	if err != nil {
		return fmt.Errorf("store: save rollout plan %s: %w", p.ResourceID, err)
	}
	return nil
}

func (rs rollouts) Plan(ctx context.Context, resourceID string) (release.Plan, []release.PlanEvent, error) {
	db := rs.s.db.WithContext(ctx)
	var row rolloutPlanRow
	if err := db.Take(&row, "resource_id = ?", resourceID).Error; err != nil {
		return release.Plan{}, nil, fmt.Errorf("store: rollout plan %s: %w", resourceID, translate(err, "rollout plan"))
	}
	p, err := row.toPlan()
	if err != nil {
		return release.Plan{}, nil, err
	}
	var evs []rolloutEventRow
	if err := db.Where("resource_id = ?", resourceID).Order("id DESC").Limit(100).Find(&evs).Error; err != nil {
		return release.Plan{}, nil, fmt.Errorf("store: rollout events %s: %w", resourceID, err)
	}
	out := make([]release.PlanEvent, len(evs))
	for i, e := range evs {
		out[i] = release.PlanEvent{ResourceID: e.ResourceID, At: e.At.UTC(), Actor: e.Actor, Action: e.Action,
			FromPercent: e.FromPercent, ToPercent: e.ToPercent, Reason: e.Reason}
		json.Unmarshal([]byte(e.Numbers), &out[i].Numbers)
	}
	return p, out, nil
}

func (rs rollouts) RunningPlans(ctx context.Context) ([]release.Plan, error) {
	var rows []rolloutPlanRow
	if err := rs.s.db.WithContext(ctx).Where("state = ?", string(release.PlanRunning)).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: running rollout plans: %w", err)
	}
	out := make([]release.Plan, 0, len(rows))
	for _, r := range rows {
		if p, err := r.toPlan(); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (rs rollouts) UpdatePlan(ctx context.Context, resourceID string, fn func(p *release.Plan) (*release.PlanEvent, error)) (release.Plan, error) {
	var out release.Plan
	err := rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var row rolloutPlanRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "resource_id = ?", resourceID).Error; err != nil {
			return fmt.Errorf("store: rollout plan %s: %w", resourceID, translate(err, "rollout plan"))
		}
		p, err := row.toPlan()
		if err != nil {
			return err
		}
		ev, err := fn(&p)
		if err != nil {
			return err
		}
		out = p
		if ev == nil {
			return nil
		}
		next := fromPlan(p)
		if err := db.Model(&rolloutPlanRow{}).Where("resource_id = ?", resourceID).
			Select("stage", "state", "stage_started", "updated_time").Updates(&next).Error; err != nil {
			return err
		}
		if err := setPercent(ctx, tx, resourceID, p.Percent(), p.UpdatedTime); err != nil {
			return err
		}
		er := fromEvent(*ev)
		return db.Create(&er).Error
	})
	return out, err
}
