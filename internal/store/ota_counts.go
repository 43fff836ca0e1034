package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/ota"
)

// A campaign's devices per wave and state live in ota_campaign_counts and
// change in the transaction that changes the devices: every write of
// ota_campaign_devices.state goes through moveEntries, insertEntries or
// ingestTx.SaveEntries, which add their changes to a countDelta and apply
// it before the transaction ends. A read of a campaign or of its device
// list's total then reads a handful of rows, whatever the campaign's size.

// countKey is one row of ota_campaign_counts.
type countKey struct {
	campaign string
	wave     int
	state    string
}

// countDelta is the changes of counts one transaction makes.
type countDelta map[countKey]int64

func (d countDelta) add(campaign string, wave int, state string, n int64) {
	if n != 0 {
		d[countKey{campaign, wave, state}] += n
	}
}

// applyCounts adds d to ota_campaign_counts in one statement per chunk,
// rows in key order: two transactions changing the same campaign's counts
// lock them in the same order and cannot deadlock on them.
func (s *Store) applyCounts(ctx context.Context, db *gorm.DB, d countDelta) error {
	ks := make([]countKey, 0, len(d))
	for k, n := range d {
		if n != 0 {
			ks = append(ks, k)
		}
	}
	if len(ks) == 0 {
		return nil
	}
	slices.SortFunc(ks, func(a, b countKey) int {
		return cmp.Or(strings.Compare(a.campaign, b.campaign), cmp.Compare(a.wave, b.wave), strings.Compare(a.state, b.state))
	})
	upsert := " ON CONFLICT (campaign_id, wave, state) DO UPDATE SET n = ota_campaign_counts.n + excluded.n"
	if s.dialect == config.DriverMySQL {
		upsert = " ON DUPLICATE KEY UPDATE n = n + VALUES(n)"
	}
	for part := range slices.Chunk(ks, 200) {
		var sb strings.Builder
		sb.WriteString("INSERT INTO ota_campaign_counts (campaign_id, wave, state, n) VALUES ")
		args := make([]any, 0, 4*len(part))
		for i, k := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?, ?, ?, ?)")
			args = append(args, k.campaign, k.wave, k.state, d[k])
		}
		sb.WriteString(upsert)
		if err := db.WithContext(ctx).Exec(sb.String(), args...).Error; err != nil {
			return fmt.Errorf("store: campaign counts: %w", err)
		}
	}
	return nil
}

// moveEntries sets the entries of campaign id that where selects to state
// (cols: the other columns to set) and moves them between the counts, in
// the transaction of db. The entries are counted per wave and state under
// a lock first (FOR UPDATE on MySQL; SQLite's writer holds the only
// lock), so the counts move by exactly what the update changed; if the
// two ever disagreed, the campaign's counts are counted again.
func (s *Store) moveEntries(ctx context.Context, db *gorm.DB, id string, where func(*gorm.DB) *gorm.DB,
	state ota.State, cols map[string]any) (int64, error) {
	var before []struct {
		Wave  int
		State string
		N     int64
	}
	sel := where(db.WithContext(ctx).Model(&entryRow{}).Where("campaign_id = ?", id))
	err := sel.Clauses(clause.Locking{Strength: "UPDATE"}).Select("wave, state, COUNT(*) AS n").Group("wave, state").Scan(&before).Error
	if err != nil {
		return 0, fmt.Errorf("store: count campaign %s devices: %w", id, err)
	}
	set := map[string]any{"state": string(state)}
	for k, v := range cols {
		set[k] = v
	}
	res := where(db.WithContext(ctx).Model(&entryRow{}).Where("campaign_id = ?", id)).UpdateColumns(set)
	if res.Error != nil {
		return 0, fmt.Errorf("store: set campaign %s devices %s: %w", id, state, res.Error)
	}
	d := countDelta{}
	var sum int64
	for _, b := range before {
		sum += b.N
		d.add(id, b.Wave, b.State, -b.N)
		d.add(id, b.Wave, string(state), b.N)
	}
	if sum != res.RowsAffected {
		return res.RowsAffected, s.recount(ctx, db, id)
	}
	return res.RowsAffected, s.applyCounts(ctx, db, d)
}

// moveNamed is moveEntries for named devices of campaign id that are in
// one of the states from: it reads and locks them by primary key only and
// updates them by primary key, so that it locks exactly those rows (a
// plan over the state index would lock every open device's index entry
// and deadlock with the ingest's batches).
func (s *Store) moveNamed(ctx context.Context, db *gorm.DB, id string, names, from []string, state ota.State,
	cols map[string]any) (int64, error) {
	var rows []struct {
		Device string
		Wave   int
		State  string
	}
	err := db.WithContext(ctx).Model(&entryRow{}).Clauses(clause.Locking{Strength: "UPDATE"}).Select("device, wave, state").
		Where("campaign_id = ? AND device IN ?", id, names).Order("device").Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("store: lock campaign %s devices: %w", id, err)
	}
	d := countDelta{}
	var moving []string
	for _, r := range rows {
		if slices.Contains(from, r.State) {
			moving = append(moving, r.Device)
			d.add(id, r.Wave, r.State, -1)
			d.add(id, r.Wave, string(state), 1)
		}
	}
	if len(moving) == 0 {
		return 0, nil
	}
	set := map[string]any{"state": string(state)}
	for k, v := range cols {
		set[k] = v
	}
	res := db.WithContext(ctx).Model(&entryRow{}).Where("campaign_id = ? AND device IN ?", id, moving).UpdateColumns(set)
	if res.Error != nil {
		return 0, fmt.Errorf("store: set campaign %s devices %s: %w", id, state, res.Error)
	}
	return res.RowsAffected, s.applyCounts(ctx, db, d)
}

// recount counts campaign id's devices again into its counts.
func (s *Store) recount(ctx context.Context, db *gorm.DB, id string) error {
	db = db.WithContext(ctx)
	if err := db.Exec("DELETE FROM ota_campaign_counts WHERE campaign_id = ?", id).Error; err != nil {
		return fmt.Errorf("store: recount campaign %s: %w", id, err)
	}
	err := db.Exec("INSERT INTO ota_campaign_counts (campaign_id, wave, state, n) "+
		"SELECT campaign_id, wave, state, COUNT(*) FROM ota_campaign_devices WHERE campaign_id = ? GROUP BY campaign_id, wave, state", id).Error
	if err != nil {
		return fmt.Errorf("store: recount campaign %s: %w", id, err)
	}
	return nil
}

// countRows reads the counts of the campaigns ids.
func (o otaStore) countRows(ctx context.Context, ids []string, each func(campaign string, wave int, state ota.State, n int64)) error {
	for part := range slices.Chunk(ids, chunk) {
		var rows []struct {
			CampaignID string
			Wave       int
			State      string
			N          int64
		}
		err := o.s.rdb.WithContext(ctx).Table("ota_campaign_counts").Select("campaign_id, wave, state, n").
			Where("campaign_id IN ? AND n <> 0", part).Scan(&rows).Error
		if err != nil {
			return fmt.Errorf("store: count campaign states: %w", err)
		}
		for _, r := range rows {
			each(r.CampaignID, r.Wave, ota.State(r.State), r.N)
		}
	}
	return nil
}

func (o otaStore) CountStates(ctx context.Context, ids []string) (map[string]map[ota.State]int64, error) {
	out := make(map[string]map[ota.State]int64, len(ids))
	err := o.countRows(ctx, ids, func(c string, _ int, st ota.State, n int64) {
		if out[c] == nil {
			out[c] = map[ota.State]int64{}
		}
		out[c][st] += n
	})
	return out, err
}

func (o otaStore) CountWaveStates(ctx context.Context, ids []string) (map[string]map[ota.WaveState]int64, error) {
	out := make(map[string]map[ota.WaveState]int64, len(ids))
	err := o.countRows(ctx, ids, func(c string, w int, st ota.State, n int64) {
		if out[c] == nil {
			out[c] = map[ota.WaveState]int64{}
		}
		out[c][ota.WaveState{Wave: w, State: st}] += n
	})
	return out, err
}

// entriesTotal is the number of campaign id's devices (of state, unless
// empty), from its counts.
func (o otaStore) entriesTotal(ctx context.Context, id string, state ota.State) (int64, error) {
	q := o.s.rdb.WithContext(ctx).Table("ota_campaign_counts").Where("campaign_id = ?", id)
	if state != "" {
		q = q.Where("state = ?", string(state))
	}
	var total *int64
	if err := q.Select("SUM(n)").Scan(&total).Error; err != nil {
		return 0, err
	}
	if total == nil {
		return 0, nil
	}
	return *total, nil
}
