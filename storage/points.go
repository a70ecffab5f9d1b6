package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/points"
)

type manualEntryRow struct {
	ID          string `gorm:"primaryKey"`
	IndicatorID string
	SubjectType string
	SubjectID   string
	Points      float64
	Evidence    string
	Assessor    string
	Note        string
	At          time.Time
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

func (manualEntryRow) TableName() string { return "manual_entries" }

func entryToRow(e points.Entry) (manualEntryRow, error) {
	evidence, err := json.Marshal(e.Evidence)
	if err != nil {
		return manualEntryRow{}, fmt.Errorf("encode evidence of manual entry %s: %w", e.ID, err)
	}
	return manualEntryRow{
		ID: e.ID, IndicatorID: e.IndicatorID, SubjectType: e.SubjectType, SubjectID: e.SubjectID,
		Points: e.Points, Evidence: string(evidence), Assessor: e.Assessor, Note: e.Note, At: dbTime(e.At),
	}, nil
}

func entryFromRow(r manualEntryRow) (points.Entry, error) {
	var evidence []string
	if err := json.Unmarshal([]byte(r.Evidence), &evidence); err != nil {
		return points.Entry{}, fmt.Errorf("decode evidence of manual entry %s: %w", r.ID, err)
	}
	return points.Entry{
		ID: r.ID, IndicatorID: r.IndicatorID, SubjectType: r.SubjectType, SubjectID: r.SubjectID,
		Points: r.Points, Evidence: evidence, Assessor: r.Assessor, At: r.At.UTC(), Note: r.Note,
	}, nil
}

// sameEntry reports whether two rows hold the same entry, whenever each
// was written.
func sameEntry(a, b manualEntryRow) bool {
	return a.ID == b.ID && a.IndicatorID == b.IndicatorID && a.SubjectType == b.SubjectType &&
		a.SubjectID == b.SubjectID && a.Points == b.Points && a.Evidence == b.Evidence &&
		a.Assessor == b.Assessor && a.Note == b.Note && a.At.Equal(b.At)
}

// AddManualEntry records an assessor's entry. Whether the indicator exists
// and takes entries is the caller's check (points.Set.CheckEntry), since
// indicators live in configuration. Idempotent on the ID: the same entry
// again changes nothing, a different entry under a taken ID is a conflict.
func (db *DB) AddManualEntry(ctx context.Context, e points.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	r, err := entryToRow(e)
	if err != nil {
		return err
	}
	r.CreatedAt = dbTime(time.Now())
	if err := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
		return translate(err)
	}
	// Whoever won the insert, the stored row is the answer.
	var got manualEntryRow
	if err := db.gorm.WithContext(ctx).Take(&got, "id = ?", e.ID).Error; err != nil {
		return translate(err)
	}
	if !sameEntry(got, r) {
		return qilian.Errorf(qilian.ECONFLICT, "manual entry %s already exists with other content", e.ID)
	}
	return nil
}

// ManualEntries returns the entries whose time is at or after from and
// before to, in time order.
func (db *DB) ManualEntries(ctx context.Context, from, to time.Time) ([]points.Entry, error) {
	var rows []manualEntryRow
	err := db.gorm.WithContext(ctx).Where("at >= ? AND at < ?", dbTime(from), dbTime(to)).
		Order("at, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]points.Entry, len(rows))
	for i, r := range rows {
		if out[i], err = entryFromRow(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ScoringEvent is a stored points event as the assessment scores it.
func ScoringEvent(r PointsRow) points.Event {
	return points.Event{
		ID: r.ID, Kind: r.Kind, SubjectType: r.SubjectType, SubjectID: r.SubjectID, Quantity: r.Quantity,
		At: r.At, CaseID: r.CaseID, CaseKind: r.CaseKind, LocalityPath: r.LocalityPath,
	}
}

// ScoringEvents converts rows with ScoringEvent.
func ScoringEvents(rows []PointsRow) []points.Event {
	out := make([]points.Event, len(rows))
	for i, r := range rows {
		out[i] = ScoringEvent(r)
	}
	return out
}

// Scorecard scores the period from what is stored alone: the whole
// locality tree and its units, the points events and the manual entries
// of the period. Narrow it to a caller's subtree with Scorecard.Within.
func (db *DB) Scorecard(ctx context.Context, set *points.Set, p points.Period) (points.Scorecard, error) {
	cards, err := db.Scorecards(ctx, set, []points.Period{p})
	if err != nil {
		return points.Scorecard{}, err
	}
	return cards[0], nil
}

// Scorecards scores several periods, as Scorecard does each, reading the
// tree once and the events and entries of the span they cover once.
func (db *DB) Scorecards(ctx context.Context, set *points.Set, periods []points.Period) ([]points.Scorecard, error) {
	if len(periods) == 0 || slices.ContainsFunc(periods, points.Period.IsZero) {
		return nil, qilian.Invalid(map[string]string{"period": "required"})
	}
	from, to := periods[0].Range()
	for _, p := range periods[1:] {
		f, t := p.Range()
		from, to = minTime(from, f), maxTime(to, t)
	}
	locs, err := db.Localities(ctx, "")
	if err != nil {
		return nil, err
	}
	units, err := db.Units(ctx, "")
	if err != nil {
		return nil, err
	}
	rows, err := db.PointsEvents(ctx, from, to)
	if err != nil {
		return nil, err
	}
	entries, err := db.ManualEntries(ctx, from, to)
	if err != nil {
		return nil, err
	}
	tree, events := points.Tree{Localities: locs, Units: units}, ScoringEvents(rows)
	cards := make([]points.Scorecard, len(periods))
	for i, p := range periods {
		cards[i] = points.Score(set, tree, events, entries, p) // Score keeps what falls in p
	}
	return cards, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
