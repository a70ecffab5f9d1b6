package storage

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/files"
)

// maxQueryLen bounds the free-text search, in characters.
const maxQueryLen = 100

// batchSize keeps a multi-row insert well under both databases' limits on
// bind parameters, however many events a first sync carries.
const batchSize = 500

// validScope reports whether path is a locality path: between separators,
// so that "/county/s1" can never match "/county/s10/".
func validScope(path string) bool {
	return len(path) > 1 && strings.HasPrefix(path, qilian.PathSep) && strings.HasSuffix(path, qilian.PathSep)
}

type caseRow struct {
	ID            string `gorm:"primaryKey"`
	Kind          string
	Category      string
	State         string
	Resolution    string
	Title         string
	Description   string
	Priority      string
	LocalityID    string
	LocalityPath  string
	GridID        string
	Lat           float64
	Lng           float64
	Address       string
	ReporterName  string
	ReporterPhone string
	OpenedBy      string
	OpenedAt      time.Time
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
	ClosedAt      *time.Time
	Level         int
	Overdue       bool
	DueAt         *time.Time
	Returns       int
	Revision      int64
	Snapshot      string
	// DuplicateOf is written only when set (the database's default is
	// empty), so a case is written the same on a schema from before it.
	DuplicateOf string
}

func (caseRow) TableName() string { return "cases" }

// caseColumns are the columns a newer revision overwrites: all but the key.
var caseColumns = []string{
	"kind", "category", "state", "resolution", "title", "description", "priority",
	"locality_id", "locality_path", "grid_id", "lat", "lng", "address",
	"reporter_name", "reporter_phone", "opened_by", "opened_at", "updated_at",
	"closed_at", "level", "overdue", "due_at", "returns", "revision", "snapshot",
}

type taskRow struct {
	ID           string `gorm:"primaryKey"`
	CaseID       string
	UnitID       string
	Role         string
	Required     bool
	State        string
	AcceptBy     *time.Time
	ResolveBy    *time.Time
	Level        int
	Overdue      bool
	DueAt        *time.Time
	Provisional  bool
	LocalityPath string
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
	Revision     int64
}

func (taskRow) TableName() string { return "tasks" }

var taskColumns = []string{
	"case_id", "unit_id", "role", "required", "state", "accept_by", "resolve_by",
	"level", "overdue", "due_at", "provisional", "locality_path", "created_at", "updated_at", "revision",
}

type eventRow struct {
	CaseID            string `gorm:"primaryKey"`
	Seq               int64  `gorm:"primaryKey;autoIncrement:false"`
	At                time.Time
	ActorID           string
	ActorRole         string
	ActorLocalityID   string
	ActorLocalityPath string
	ActorUnitID       string
	Type              string
	TaskID            string
	FromState         string
	ToState           string
	Reason            string
	Payload           string
	Detail            string
}

func (eventRow) TableName() string { return "case_events" }

type pointsRow struct {
	ID           string `gorm:"primaryKey"`
	CaseID       string
	Seq          int64
	Ordinal      int
	Kind         string
	SubjectType  string
	SubjectID    string
	Quantity     float64
	At           time.Time
	LocalityPath string
	CaseKind     string
}

func (pointsRow) TableName() string { return "points_events" }

type idempotencyRow struct {
	UserID    string `gorm:"primaryKey"`
	Key       string `gorm:"primaryKey"`
	BodyHash  string
	CaseID    string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

// dbTime is how times are stored: UTC, at the microsecond precision
// PostgreSQL keeps, so both databases hold and compare the same value.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// dbTimeOrNull stores a zero time as NULL.
func dbTimeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := dbTime(t)
	return &v
}

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// taskDue is the deadline a task is working against: accept-by while it
// is offered, resolve-by once accepted, none once it is no longer open or
// its case has ended.
func taskDue(c qilian.Case, t qilian.Task) time.Time {
	switch {
	case c.State.Terminal():
		return time.Time{}
	case t.State == qilian.TaskOffered:
		return t.AcceptBy.Due
	case t.State.Open():
		// A progress report missed (rules 1) is a deadline passed too.
		if late := t.ReportMissedAt; c.Rules >= 1 && t.ReportMisses > 0 && !late.IsZero() && late.Before(t.ResolveBy.Due) {
			return late
		}
		return t.ResolveBy.Due
	default:
		return time.Time{}
	}
}

// reportRungs are the ladder rungs a task climbed by missing progress
// reports (rules 1).
func reportRungs(c qilian.Case, t qilian.Task) int {
	if c.Rules < 1 || !t.State.Open() {
		return 0
	}
	return min(t.ReportMisses, max(len(c.Policy.Ladder), 1))
}

// caseDue is the earliest deadline among the case's open tasks.
func caseDue(c qilian.Case) time.Time {
	var due time.Time
	for _, t := range c.Tasks {
		if d := taskDue(c, t); !d.IsZero() && (due.IsZero() || d.Before(due)) {
			due = d
		}
	}
	return due
}

func caseToRow(c qilian.Case) (caseRow, error) {
	snap, err := json.Marshal(c)
	if err != nil {
		return caseRow{}, fmt.Errorf("encode case %s: %w", c.ID, err)
	}
	return caseRow{
		ID: c.ID, Kind: string(c.Kind), Category: c.CategoryCode(), State: string(c.State), Resolution: string(c.Resolution),
		Title: c.Title, Description: c.Description, Priority: string(c.Priority),
		LocalityID: c.LocalityID, LocalityPath: c.LocalityPath, GridID: c.GridID,
		Lat: c.Location.Lat, Lng: c.Location.Lng, Address: c.Location.Address,
		ReporterName: c.Reporter.Name, ReporterPhone: c.Reporter.Phone,
		OpenedBy: c.OpenedBy.UserID, OpenedAt: dbTime(c.OpenedAt), UpdatedAt: dbTime(c.UpdatedAt),
		ClosedAt: dbTimeOrNull(c.ClosedAt), Level: c.Level, Overdue: c.Overdue,
		DueAt: dbTimeOrNull(caseDue(c)), Returns: c.Returns, Revision: c.Revision, Snapshot: string(snap),
		DuplicateOf: c.DuplicateOf,
	}, nil
}

func taskToRow(c qilian.Case, t qilian.Task) taskRow {
	return taskRow{
		ID: t.ID, CaseID: c.ID, UnitID: t.UnitID, Role: string(t.Role), Required: t.Required,
		State: string(t.State), AcceptBy: dbTimeOrNull(t.AcceptBy.Due), ResolveBy: dbTimeOrNull(t.ResolveBy.Due),
		Level: max(t.Level, reportRungs(c, t)), Overdue: t.Overdue || reportRungs(c, t) > 0, DueAt: dbTimeOrNull(taskDue(c, t)), Provisional: t.Provisional(),
		LocalityPath: c.LocalityPath, CreatedAt: dbTime(t.CreatedAt), UpdatedAt: dbTime(t.UpdatedAt), Revision: c.Revision,
	}
}

func eventToRow(caseID string, e qilian.Event) (eventRow, error) {
	var payload []byte
	if len(e.Payload) > 0 {
		var err error
		if payload, err = json.Marshal(e.Payload); err != nil {
			return eventRow{}, fmt.Errorf("encode payload of event %d of case %s: %w", e.Seq, caseID, err)
		}
	}
	// Points have their own table and the payload its own column; the rest
	// of the event goes whole into detail, so fields the event gains later
	// round-trip without a migration.
	rest := e
	rest.Payload, rest.Points = nil, nil
	detail, err := json.Marshal(rest)
	if err != nil {
		return eventRow{}, fmt.Errorf("encode event %d of case %s: %w", e.Seq, caseID, err)
	}
	return eventRow{
		CaseID: caseID, Seq: e.Seq, At: dbTime(e.At),
		ActorID: e.Actor.UserID, ActorRole: string(e.Actor.Role), ActorLocalityID: e.Actor.LocalityID,
		ActorLocalityPath: e.Actor.LocalityPath, ActorUnitID: e.Actor.UnitID,
		Type: string(e.Type), TaskID: e.TaskID, FromState: e.FromState, ToState: e.ToState, Reason: e.Reason,
		Payload: string(payload), Detail: string(detail),
	}, nil
}

func eventFromRow(r eventRow) (qilian.Event, error) {
	var e qilian.Event
	if err := json.Unmarshal([]byte(r.Detail), &e); err != nil {
		return qilian.Event{}, fmt.Errorf("decode event %d of case %s: %w", r.Seq, r.CaseID, err)
	}
	e.Seq, e.At = r.Seq, r.At.UTC()
	if r.Payload != "" {
		if err := json.Unmarshal([]byte(r.Payload), &e.Payload); err != nil {
			return qilian.Event{}, fmt.Errorf("decode payload of event %d of case %s: %w", r.Seq, r.CaseID, err)
		}
	}
	return e, nil
}

// PointsID is the natural key of the i-th points event of a case event.
func PointsID(caseID string, seq int64, i int) string {
	return caseID + ":" + strconv.FormatInt(seq, 10) + ":" + strconv.Itoa(i)
}

// caseUnitRow is one unit a case involves (qilian.Case.Units).
type caseUnitRow struct {
	CaseID string `gorm:"primaryKey"`
	UnitID string `gorm:"primaryKey"`
}

func (caseUnitRow) TableName() string { return "case_units" }

// SyncCase projects the case and the events that produced it, in one
// transaction. Each row is written only if it is older than c.Revision, so a
// retried or late sync never moves the read model backwards; events and
// their points events are inserted once, whatever the order of the syncs,
// so a late sync still adds the events it carries. Safe to call
// concurrently for the same case.
func (db *DB) SyncCase(ctx context.Context, c qilian.Case, events []qilian.Event) error {
	if c.ID == "" {
		return qilian.Invalid(map[string]string{"id": "required"})
	}
	row, err := caseToRow(c)
	if err != nil {
		return err
	}
	tasks := make([]taskRow, len(c.Tasks))
	for i, t := range c.Tasks {
		tasks[i] = taskToRow(c, t)
	}
	// The same lock order in every transaction: case row, then tasks by ID.
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].ID < tasks[j].ID })
	var (
		evs    []eventRow
		points []pointsRow
	)
	for _, e := range events {
		if e.Seq <= 0 {
			return qilian.Invalid(map[string]string{"events": "every event needs a positive seq"})
		}
		r, err := eventToRow(c.ID, e)
		if err != nil {
			return err
		}
		evs = append(evs, r)
		for i, p := range e.Points {
			points = append(points, pointsRow{
				ID: PointsID(c.ID, e.Seq, i), CaseID: c.ID, Seq: e.Seq, Ordinal: i,
				Kind: string(p.Kind), SubjectType: p.SubjectType, SubjectID: p.SubjectID,
				Quantity: p.Quantity, At: dbTime(p.At), LocalityPath: c.LocalityPath, CaseKind: string(c.Kind),
			})
		}
	}
	var units []caseUnitRow
	for _, u := range c.Units() {
		units = append(units, caseUnitRow{CaseID: c.ID, UnitID: u})
	}
	sort.Slice(units, func(i, j int) bool { return units[i].UnitID < units[j].UnitID })
	var named []caseFileRow
	seen := map[string]bool{}
	name := func(list []string) {
		for _, a := range list {
			if id, ok := files.IDOf(a); ok && !seen[id] {
				seen[id] = true
				named = append(named, caseFileRow{CaseID: c.ID, FileID: id})
			}
		}
	}
	name(c.Attachments)
	for _, t := range c.Tasks {
		name(t.Attachments)
	}
	for _, e := range events { // what an action carried stays on its event
		name(e.Attachments)
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
	sort.Slice(points, func(i, j int) bool { return points[i].ID < points[j].ID })

	err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// On PostgreSQL the conflict path locks the case row even when the
		// guard refuses the update, which serialises concurrent syncs of
		// one case; on SQLite every write transaction is serial anyway.
		ins, cols := tx.Omit("duplicate_of"), caseColumns
		if row.DuplicateOf != "" {
			ins, cols = tx, append(slices.Clone(cols), "duplicate_of")
		}
		if err := ins.Clauses(newerRevision("cases", cols)).Create(&row).Error; err != nil {
			return err
		}
		if len(tasks) > 0 {
			if err := tx.Clauses(newerRevision("tasks", taskColumns)).CreateInBatches(&tasks, batchSize).Error; err != nil {
				return err
			}
		}
		if len(units) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&units).Error; err != nil {
				return err
			}
		}
		if len(named) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&named).Error; err != nil {
				return err
			}
		}
		if len(evs) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&evs, batchSize).Error; err != nil {
				return err
			}
		}
		if len(points) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&points, batchSize).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return translate(err)
}

// newerRevision is an upsert on the primary key that only overwrites a row
// holding a lower revision.
func newerRevision(table string, columns []string) clause.OnConflict {
	return clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns(columns),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: table + ".revision < excluded.revision"}}},
	}
}

// CaseSnapshot returns the case as last synced.
func (db *DB) CaseSnapshot(ctx context.Context, id string) (qilian.Case, error) {
	var r caseRow
	if err := db.gorm.WithContext(ctx).Select("snapshot").Take(&r, "id = ?", id).Error; err != nil {
		return qilian.Case{}, translate(err)
	}
	var c qilian.Case
	if err := json.Unmarshal([]byte(r.Snapshot), &c); err != nil {
		return qilian.Case{}, fmt.Errorf("decode snapshot of case %s: %w", id, err)
	}
	return c, nil
}

// Events returns a case's audit trail in order, each event with its points
// events; empty for an unknown case.
// ProvisionalCases lists the open cases with an open task whose deadline
// is provisional, by case ID: those to re-time once a year is official.
func (db *DB) ProvisionalCases(ctx context.Context) ([]string, error) {
	var ids []string
	err := db.gorm.WithContext(ctx).Model(&taskRow{}).Distinct("tasks.case_id").
		Joins("JOIN cases ON cases.id = tasks.case_id").
		Where("tasks.provisional AND cases.state NOT IN ?", []string{string(qilian.CaseClosed), string(qilian.CaseCancelled)}).
		Order("tasks.case_id").Pluck("tasks.case_id", &ids).Error
	return ids, translate(err)
}

func (db *DB) Events(ctx context.Context, caseID string) ([]qilian.Event, error) {
	var rows []eventRow
	if err := db.gorm.WithContext(ctx).Where("case_id = ?", caseID).Order("seq").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	var prs []pointsRow
	if err := db.gorm.WithContext(ctx).Where("case_id = ?", caseID).Order("seq, ordinal").Find(&prs).Error; err != nil {
		return nil, translate(err)
	}
	points := map[int64][]qilian.PointsEvent{}
	for _, p := range prs {
		points[p.Seq] = append(points[p.Seq], pointsFromRow(p))
	}
	out := make([]qilian.Event, len(rows))
	for i, r := range rows {
		e, err := eventFromRow(r)
		if err != nil {
			return nil, err
		}
		e.Points = points[r.Seq]
		out[i] = e
	}
	return out, nil
}

func pointsFromRow(p pointsRow) qilian.PointsEvent {
	return qilian.PointsEvent{Kind: qilian.PointsKind(p.Kind), SubjectType: p.SubjectType, SubjectID: p.SubjectID, Quantity: p.Quantity, At: p.At.UTC()}
}

type caseSummaryRow struct {
	ID           string
	Kind         string
	State        string
	Title        string
	Priority     string
	LocalityID   string
	LocalityPath string
	OpenedAt     time.Time
	UpdatedAt    time.Time
	Level        int
	Overdue      bool
	DueAt        *time.Time
	Revision     int64
	Lat, Lng     float64 // for NearbyCases
}

const caseSummaryColumns = "c.id, c.kind, c.state, c.title, c.priority, c.locality_id, c.locality_path, " +
	"c.opened_at, c.updated_at, c.level, c.overdue, c.due_at, c.revision, c.lat, c.lng"

// ListCases returns a page of the cases inside f.ScopePath that match f,
// newest first (opened_at, then ID, descending).
func (db *DB) ListCases(ctx context.Context, f qilian.CaseFilter) (qilian.CasePage, error) {
	fields := map[string]string{}
	if !validScope(f.ScopePath) {
		fields["scope"] = "required: a locality path such as /county/street/"
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fields["kind"] = "unknown kind"
	}
	if f.State != "" && !f.State.Valid() {
		fields["state"] = "unknown state"
	}
	if f.LocalityID != "" && !validID(f.LocalityID) {
		fields["locality_id"] = "not a locality ID"
	}
	if utf8.RuneCountInString(f.Query) > maxQueryLen {
		fields["q"] = fmt.Sprintf("at most %d characters", maxQueryLen)
	}
	if !f.CreatedAfter.IsZero() && !f.CreatedBefore.IsZero() && !f.CreatedAfter.Before(f.CreatedBefore) {
		fields["created_before"] = "must be after created_after"
	}
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		fields["cursor"] = "malformed"
	} else if f.Cursor != "" && after.T == nil {
		fields["cursor"] = "malformed"
	}
	if len(fields) > 0 {
		return qilian.CasePage{}, qilian.Invalid(fields)
	}
	limit := pageSize(f.Limit)

	q := db.scopeRange(db.gorm.WithContext(ctx).Table("cases AS c").Select(caseSummaryColumns), "c.locality_path", f.ScopePath)
	if f.UnitID != "" {
		q = q.Where("EXISTS (SELECT 1 FROM case_units u WHERE u.case_id = c.id AND u.unit_id = ?)", f.UnitID)
	}
	if f.Kind != "" {
		q = q.Where("c.kind = ?", string(f.Kind))
	}
	if f.State != "" {
		q = q.Where("c.state = ?", string(f.State))
	}
	if f.LocalityID != "" {
		l, err := db.Locality(ctx, f.LocalityID)
		switch {
		case errors.Is(err, qilian.ErrNotFound):
			return qilian.CasePage{Cases: []qilian.CaseSummary{}}, nil
		case err != nil:
			return qilian.CasePage{}, err
		}
		q = db.scopeRange(q, "c.locality_path", l.Path)
	}
	if f.Overdue != nil {
		q = q.Where("c.overdue = ?", *f.Overdue)
	}
	if s := strings.TrimSpace(f.Query); s != "" {
		pat := "%" + likePrefix(strings.ToLower(s))
		q = q.Where("(LOWER(c.title) LIKE ? ESCAPE '\\' OR LOWER(c.description) LIKE ? ESCAPE '\\' OR LOWER(c.address) LIKE ? ESCAPE '\\')", pat, pat, pat)
	}
	if !f.CreatedAfter.IsZero() {
		q = q.Where("c.opened_at >= ?", dbTime(f.CreatedAfter))
	}
	if !f.CreatedBefore.IsZero() {
		q = q.Where("c.opened_at < ?", dbTime(f.CreatedBefore))
	}
	if after.T != nil {
		q = q.Where("(c.opened_at, c.id) < (?, ?)", dbTime(*after.T), after.ID)
	}
	var rows []caseSummaryRow
	if err := q.Order("c.opened_at DESC, c.id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return qilian.CasePage{}, translate(err)
	}
	var page qilian.CasePage
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = encodeCursor(cursor{T: &last.OpenedAt, ID: last.ID})
	}
	page.Cases = make([]qilian.CaseSummary, len(rows))
	for i, r := range rows {
		page.Cases[i] = r.summary()
	}
	return page, nil
}

func (r caseSummaryRow) summary() qilian.CaseSummary {
	return qilian.CaseSummary{
		ID: r.ID, Kind: qilian.Kind(r.Kind), State: qilian.CaseState(r.State), Title: r.Title,
		Priority: qilian.Priority(r.Priority), LocalityID: r.LocalityID, LocalityPath: r.LocalityPath,
		OpenedAt: r.OpenedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Level: r.Level, Overdue: r.Overdue,
		DueAt: timeOrZero(r.DueAt), Revision: r.Revision,
	}
}

type taskSummaryRow struct {
	ID           string
	CaseID       string
	UnitID       string
	Role         string
	Required     bool
	State        string
	AcceptBy     *time.Time
	ResolveBy    *time.Time
	Level        int
	Overdue      bool
	DueAt        *time.Time
	Provisional  bool
	LocalityPath string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Revision     int64
	CaseTitle    string
	CaseKind     string
	CaseState    string
}

// ListTasks returns a page of a unit's tasks, soonest deadline first, tasks
// without one (no longer open) last, then by ID.
func (db *DB) ListTasks(ctx context.Context, f qilian.TaskFilter) (qilian.TaskPage, error) {
	fields := map[string]string{}
	if f.UnitID == "" {
		fields["unit_id"] = "required"
	}
	if f.State != "" && !f.State.Valid() {
		fields["state"] = "unknown state"
	}
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		fields["cursor"] = "malformed"
	}
	if len(fields) > 0 {
		return qilian.TaskPage{}, qilian.Invalid(fields)
	}
	limit := pageSize(f.Limit)

	q := db.gorm.WithContext(ctx).Table("tasks AS t").
		Select("t.*, c.title AS case_title, c.kind AS case_kind, c.state AS case_state").
		Joins("JOIN cases c ON c.id = t.case_id").
		Where("t.unit_id = ?", f.UnitID)
	if f.State != "" {
		q = q.Where("t.state = ?", string(f.State))
	}
	if f.Overdue != nil {
		q = q.Where("t.overdue = ?", *f.Overdue)
	}
	switch {
	case f.Cursor == "":
	case after.T == nil:
		q = q.Where("t.due_at IS NULL AND t.id > ?", after.ID)
	default:
		due := dbTime(*after.T)
		q = q.Where("(t.due_at > ? OR (t.due_at = ? AND t.id > ?) OR t.due_at IS NULL)", due, due, after.ID)
	}
	// NULLS LAST is standard SQL; SQLite has it since 3.30.
	var rows []taskSummaryRow
	if err := q.Order("t.due_at ASC NULLS LAST, t.id ASC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return qilian.TaskPage{}, translate(err)
	}
	var page qilian.TaskPage
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = encodeCursor(cursor{T: last.DueAt, ID: last.ID})
	}
	page.Tasks = make([]qilian.TaskSummary, len(rows))
	for i, r := range rows {
		page.Tasks[i] = qilian.TaskSummary{
			ID: r.ID, CaseID: r.CaseID, CaseTitle: r.CaseTitle, CaseKind: qilian.Kind(r.CaseKind),
			CaseState: qilian.CaseState(r.CaseState), UnitID: r.UnitID, Role: qilian.TaskRole(r.Role),
			Required: r.Required, State: qilian.TaskState(r.State), AcceptBy: timeOrZero(r.AcceptBy),
			ResolveBy: timeOrZero(r.ResolveBy), Level: r.Level, Overdue: r.Overdue, DueAt: timeOrZero(r.DueAt),
			Provisional: r.Provisional, LocalityPath: r.LocalityPath, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Revision: r.Revision,
		}
	}
	return page, nil
}

type overdueRow struct {
	CaseID     string
	CaseTitle  string
	CaseKind   string
	LocalityID string
	TaskID     string
	UnitID     string
	Level      int
	DueAt      time.Time
}

// Overdue returns the open tasks inside scopePath whose deadline is before
// now, most late first. It reads the deadline, not the overdue flag, so a
// breach shows before the workflow's timer has reported it.
func (db *DB) Overdue(ctx context.Context, scopePath string, now time.Time, limit int) ([]qilian.OverdueItem, error) {
	if !validScope(scopePath) {
		return nil, qilian.Invalid(map[string]string{"scope": "required: a locality path"})
	}
	now = now.UTC()
	var rows []overdueRow
	err := db.overdueQuery(db.gorm.WithContext(ctx), scopePath, now, limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]qilian.OverdueItem, len(rows))
	for i, r := range rows {
		due := r.DueAt.UTC()
		out[i] = qilian.OverdueItem{
			CaseID: r.CaseID, CaseTitle: r.CaseTitle, CaseKind: qilian.Kind(r.CaseKind), LocalityID: r.LocalityID,
			TaskID: r.TaskID, UnitID: r.UnitID, Level: r.Level, DueAt: due, Lateness: now.Sub(due),
		}
	}
	return out, nil
}

// overdueQuery is Overdue's query, shared with QueryPlans.
func (db *DB) overdueQuery(tx *gorm.DB, scopePath string, now time.Time, limit int) *gorm.DB {
	q := tx.Table("tasks AS t").
		Select("c.id AS case_id, c.title AS case_title, c.kind AS case_kind, c.locality_id, t.id AS task_id, t.unit_id, t.level, t.due_at").
		Joins("JOIN cases c ON c.id = t.case_id").
		Where("t.due_at < ?", now)
	return db.scopeRange(q, "t.locality_path", scopePath).Order("t.due_at, t.id").Limit(pageSize(limit))
}

// countQuery is CaseCounts' query, shared with QueryPlans: the sums of
// the subtree's rows of case_counts (see case_counts.go), which the
// triggers on cases keep exact.
func (db *DB) countQuery(tx *gorm.DB, scopePath string) *gorm.DB {
	return db.scopeRange(tx.Table("case_counts").Select("state, kind, SUM(n) AS n"), "locality_path", scopePath).
		Group("state, kind").Having("SUM(n) > 0")
}

// CaseCounts counts the cases inside scopePath by state and by kind.
func (db *DB) CaseCounts(ctx context.Context, scopePath string) (map[qilian.CaseState]int, map[qilian.Kind]int, error) {
	if !validScope(scopePath) {
		return nil, nil, qilian.Invalid(map[string]string{"scope": "required: a locality path"})
	}
	var counts []struct {
		State string
		Kind  string
		N     int
	}
	if err := db.countQuery(db.gorm.WithContext(ctx), scopePath).Find(&counts).Error; err != nil {
		return nil, nil, translate(err)
	}
	byState := map[qilian.CaseState]int{}
	byKind := map[qilian.Kind]int{}
	for _, c := range counts {
		byState[qilian.CaseState(c.State)] += c.N
		byKind[qilian.Kind(c.Kind)] += c.N
	}
	return byState, byKind, nil
}

// ClaimIdempotencyKey records that the user's key opened caseID. If the
// key was claimed before with the same body hash, it returns the case that
// claim named, which the caller reuses instead of opening another; with a
// different body it is a conflict. Concurrent claims of one key all get
// the same case.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, userID, key, bodyHash, caseID string) (string, error) {
	fields := map[string]string{}
	for name, v := range map[string]string{"user_id": userID, "idempotency_key": key, "body_hash": bodyHash, "case_id": caseID} {
		if v == "" {
			fields[name] = "required"
		}
	}
	if len(key) > 255 {
		fields["idempotency_key"] = "at most 255 bytes"
	}
	if len(fields) > 0 {
		return "", qilian.Invalid(fields)
	}
	r := idempotencyRow{UserID: userID, Key: key, BodyHash: bodyHash, CaseID: caseID, CreatedAt: dbTime(time.Now())}
	if err := db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r).Error; err != nil {
		return "", translate(err)
	}
	// Whoever won the insert, the stored row is the answer.
	var got idempotencyRow
	if err := db.gorm.WithContext(ctx).Take(&got, "user_id = ? AND key = ?", userID, key).Error; err != nil {
		return "", translate(err)
	}
	if got.BodyHash != bodyHash {
		return "", qilian.Errorf(qilian.ECONFLICT, "idempotency key reused with a different body")
	}
	return got.CaseID, nil
}

// PointsRow is a points event as the assessment reads it: with the case
// it came from and where that case is.
type PointsRow struct {
	ID           string
	CaseID       string
	Seq          int64
	CaseKind     qilian.Kind
	LocalityPath string
	qilian.PointsEvent
}

// PointsEvents returns the points events at or after from and before to,
// in time order.
func (db *DB) PointsEvents(ctx context.Context, from, to time.Time) ([]PointsRow, error) {
	var rows []pointsRow
	err := db.gorm.WithContext(ctx).Where("at >= ? AND at < ?", dbTime(from), dbTime(to)).
		Order("at, case_id, seq, ordinal").Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]PointsRow, len(rows))
	for i, r := range rows {
		out[i] = PointsRow{ID: r.ID, CaseID: r.CaseID, Seq: r.Seq, CaseKind: qilian.Kind(r.CaseKind), LocalityPath: r.LocalityPath, PointsEvent: pointsFromRow(r)}
	}
	return out, nil
}

func pageSize(n int) int {
	switch {
	case n <= 0:
		return qilian.DefaultPageSize
	case n > qilian.MaxPageSize:
		return qilian.MaxPageSize
	default:
		return n
	}
}

// cursor is the keyset position of the last row of a page: its sort time
// (nil for a task without a deadline) and its ID.
type cursor struct {
	T  *time.Time `json:"t,omitempty"`
	ID string     `json:"id"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c) // a time and a string always encode
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	if c.ID == "" {
		return c, errors.New("cursor without an id")
	}
	return c, nil
}

// maxNearby bounds what NearbyCases answers.
const maxNearby = 20

// NearbyCases returns the cases inside q.ScopePath of q.Kind (and
// q.Category, when given) opened since q.Since within q.Radius metres of
// q.At, nearest first; a case closed as a duplicate is left out, its
// original stands for it. The database narrows to a box around the point;
// the exact distance is measured here.
func (db *DB) NearbyCases(ctx context.Context, q qilian.NearbyQuery) ([]qilian.Nearby, error) {
	fields := map[string]string{}
	if !validScope(q.ScopePath) {
		fields["scope"] = "required: a locality path such as /county/street/"
	}
	if !q.Kind.Valid() {
		fields["kind"] = "unknown kind"
	}
	if !q.At.Valid() || (q.At.Lat == 0 && q.At.Lng == 0) {
		fields["location"] = "required: a point on Earth"
	}
	if q.Radius <= 0 || q.Radius > 5000 {
		fields["radius"] = "from 0 to 5000 metres"
	}
	if len(fields) > 0 {
		return nil, qilian.Invalid(fields)
	}
	limit := q.Limit
	if limit <= 0 || limit > maxNearby {
		limit = maxNearby
	}
	// A degree of latitude is about 111 km everywhere; of longitude, that
	// times the cosine of the latitude.
	dLat := q.Radius / 111000
	dLng := dLat / math.Max(0.01, math.Cos(q.At.Lat*math.Pi/180))
	tx := db.scopeRange(db.gorm.WithContext(ctx).Table("cases AS c").Select(caseSummaryColumns), "c.locality_path", q.ScopePath).
		Where("c.kind = ? AND c.opened_at >= ? AND c.duplicate_of = '' AND c.resolution <> ?", string(q.Kind), dbTime(q.Since), string(qilian.ResolutionDuplicate)).
		Where("c.lat BETWEEN ? AND ? AND c.lng BETWEEN ? AND ?", q.At.Lat-dLat, q.At.Lat+dLat, q.At.Lng-dLng, q.At.Lng+dLng)
	if q.Category != "" {
		tx = tx.Where("c.category = ?", q.Category)
	}
	if q.Exclude != "" {
		tx = tx.Where("c.id <> ?", q.Exclude)
	}
	var rows []caseSummaryRow
	if err := tx.Order("c.opened_at DESC").Limit(500).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := []qilian.Nearby{}
	for _, r := range rows {
		d := qilian.Distance(q.At, qilian.Point{Lat: r.Lat, Lng: r.Lng})
		if d > q.Radius {
			continue
		}
		out = append(out, qilian.Nearby{CaseSummary: r.summary(), Distance: d})
	}
	slices.SortStableFunc(out, func(a, b qilian.Nearby) int { return cmp.Compare(a.Distance, b.Distance) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Duplicates lists the cases closed as duplicates of the case, oldest
// first.
func (db *DB) Duplicates(ctx context.Context, caseID string) ([]string, error) {
	var ids []string
	err := db.gorm.WithContext(ctx).Table("cases").Where("duplicate_of = ?", caseID).Order("opened_at, id").Pluck("id", &ids).Error
	return ids, translate(err)
}
