package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type scoresOut struct {
	Period   string `json:"period"`
	Subjects []struct {
		Type  string `json:"type"`
		ID    string `json:"id"`
		Name  string `json:"name"`
		Path  string `json:"path"`
		Total struct {
			Points float64 `json:"points"`
			Max    float64 `json:"max"`
		} `json:"total"`
		Rates map[string]struct {
			Hits  int      `json:"hits"`
			Total int      `json:"total"`
			Value *float64 `json:"value"`
		} `json:"rates"`
		Indicators []struct {
			ID     string  `json:"id"`
			NameZH string  `json:"name_zh"`
			Max    float64 `json:"max"`
			Points float64 `json:"points"`
			Lines  []struct {
				Source string  `json:"source"`
				Ref    string  `json:"ref"`
				CaseID string  `json:"case_id"`
				Points float64 `json:"points"`
			} `json:"lines"`
		} `json:"indicators"`
	} `json:"subjects"`
}

// testPoints runs after the end-to-end walk, whose service_linkage case
// gave u-mingyuan-property an on-time acceptance, an on-time resolution and
// a satisfied resident this month.
func testPoints(t *testing.T, a *apiEnv) {
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")

	t.Run("200 indicators", func(t *testing.T) {
		var list struct {
			Items []struct {
				ID, Level, Subject, Measure string
				Max                         float64
			} `json:"items"`
		}
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/indicators", nil).ok(t, http.StatusOK, &list)
		require.Len(t, list.Items, 34)
		street := 0.0
		for _, i := range list.Items {
			if i.Level == "street" {
				street += i.Max
			}
		}
		require.Equal(t, 100.0, street)
	})

	t.Run("200 scores trace back to the case", func(t *testing.T) {
		var s scoresOut
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/scores?period="+month+"&type=unit&id=u-mingyuan-property", nil).
			ok(t, http.StatusOK, &s)
		require.Equal(t, month, s.Period)
		require.Len(t, s.Subjects, 1)
		u := s.Subjects[0]
		require.Equal(t, "u-mingyuan-property", u.ID)
		require.NotEmpty(t, u.Name)
		require.Positive(t, u.Total.Points)
		require.LessOrEqual(t, u.Total.Points, u.Total.Max)
		for _, rate := range []string{"response", "resolution", "satisfaction"} {
			require.Positive(t, u.Rates[rate].Total, rate)
			require.NotNil(t, u.Rates[rate].Value, rate)
		}
		sum := 0.0
		for _, ind := range u.Indicators {
			require.LessOrEqual(t, ind.Points, ind.Max, ind.ID)
			lines := 0.0
			for _, l := range ind.Lines {
				lines += l.Points
				if l.Source == "event" {
					require.NotEmpty(t, l.CaseID, ind.ID)
					require.NotEmpty(t, l.Ref, ind.ID)
				}
			}
			require.InDelta(t, ind.Points, lines, 1e-6, "the lines of %s add up to its points", ind.ID)
			sum += ind.Points
		}
		require.InDelta(t, u.Total.Points, sum, 1e-6)
	})

	t.Run("200 scope", func(t *testing.T) {
		var s scoresOut
		a.call(t, "demo-unit", http.MethodGet, "/api/v1/scores?period="+month, nil).ok(t, http.StatusOK, &s)
		require.Len(t, s.Subjects, 1, "unit staff see their own unit only")
		require.Equal(t, "u-mingyuan-property", s.Subjects[0].ID)

		a.call(t, "demo-supervisor-jianshe", http.MethodGet, "/api/v1/scores?period="+month+"&type=locality", nil).ok(t, http.StatusOK, &s)
		require.NotEmpty(t, s.Subjects)
		for _, sub := range s.Subjects {
			require.Contains(t, sub.Path, "/nanhu/jianshe/", sub.ID)
		}
	})

	t.Run("404 a subject outside the scope", func(t *testing.T) {
		a.call(t, "demo-supervisor-jianshe", http.MethodGet, "/api/v1/scores?type=locality&id=xinxing", nil).
			fails(t, http.StatusNotFound, "not_found")
		a.call(t, "demo-unit", http.MethodGet, "/api/v1/scores?type=unit&id=u-power", nil).fails(t, http.StatusNotFound, "not_found")
		a.call(t, "demo-supervisor-jianshe", http.MethodGet, "/api/v1/scores/trend?type=locality&id=xinxing", nil).
			fails(t, http.StatusNotFound, "not_found")
		a.call(t, "demo-supervisor-jianshe", http.MethodGet, "/api/v1/counts?locality=xinxing", nil).fails(t, http.StatusNotFound, "not_found")
	})

	t.Run("400 bad parameters", func(t *testing.T) {
		for path, field := range map[string]string{
			"/api/v1/scores?period=2026-13":               "period",
			"/api/v1/scores?type=member":                  "type",
			"/api/v1/scores?sort=up":                      "sort",
			"/api/v1/scores/trend?type=unit":              "id",
			"/api/v1/scores/trend?type=unit&id=u&count=0": "count",
			"/api/v1/scores.csv?period=Q1":                "period",
		} {
			e := a.call(t, "demo-supervisor", http.MethodGet, path, nil).fails(t, http.StatusBadRequest, "invalid")
			require.Contains(t, e.Fields, field, path)
		}
	})

	t.Run("200 trend", func(t *testing.T) {
		var tr struct {
			Items []struct {
				Period string `json:"period"`
			} `json:"items"`
		}
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/scores/trend?type=locality&id=jianshe&period=2026-03&count=3", nil).
			ok(t, http.StatusOK, &tr)
		require.Len(t, tr.Items, 3)
		require.Equal(t, []string{"2026-01", "2026-02", "2026-03"},
			[]string{tr.Items[0].Period, tr.Items[1].Period, tr.Items[2].Period})
	})

	t.Run("manual entries", func(t *testing.T) {
		entry := map[string]any{
			"id": "e-brand-" + month, "indicator_id": "street_brand", "subject_type": "locality", "subject_id": "jianshe",
			"at": time.Now().UTC().Format(time.RFC3339), "points": 12, "evidence": []string{"https://example.org/品牌项目.pdf"}, "note": "“红色物业”品牌",
		}
		a.call(t, "demo-supervisor-jianshe", http.MethodPost, "/api/v1/manual-entries", entry).ok(t, http.StatusCreated, nil)
		a.call(t, "demo-supervisor-jianshe", http.MethodPost, "/api/v1/manual-entries", entry).ok(t, http.StatusCreated, nil)
		other := map[string]any{}
		for k, v := range entry {
			other[k] = v
		}
		other["points"] = 13
		a.call(t, "demo-supervisor-jianshe", http.MethodPost, "/api/v1/manual-entries", other).fails(t, http.StatusConflict, "conflict")
		other["id"], other["subject_id"] = "e-brand-x", "xinxing"
		a.call(t, "demo-supervisor-jianshe", http.MethodPost, "/api/v1/manual-entries", other).fails(t, http.StatusNotFound, "not_found")
		other["indicator_id"] = "no_such_indicator"
		e := a.call(t, "demo-supervisor", http.MethodPost, "/api/v1/manual-entries", other).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "indicator_id")
		a.call(t, "demo-axis", http.MethodPost, "/api/v1/manual-entries", entry).fails(t, http.StatusForbidden, "forbidden")
		delete(other, "at")
		e = a.call(t, "demo-supervisor", http.MethodPost, "/api/v1/manual-entries", other).fails(t, http.StatusBadRequest, "invalid")
		require.Contains(t, e.Fields, "at")

		var list struct {
			Items []struct {
				ID       string   `json:"id"`
				Evidence []string `json:"evidence"`
				Assessor string   `json:"assessor"`
			} `json:"items"`
		}
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/manual-entries?period="+month, nil).ok(t, http.StatusOK, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, "demo-supervisor-jianshe", list.Items[0].Assessor)
		require.Equal(t, []string{"https://example.org/品牌项目.pdf"}, list.Items[0].Evidence)

		var s scoresOut
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/scores?period="+month+"&type=locality&id=jianshe", nil).ok(t, http.StatusOK, &s)
		found := false
		for _, ind := range s.Subjects[0].Indicators {
			if ind.ID == "street_brand" {
				found = true
				require.Equal(t, 12.0, ind.Points)
				require.Equal(t, "entry", ind.Lines[0].Source)
				require.Equal(t, "e-brand-"+month, ind.Lines[0].Ref)
			}
		}
		require.True(t, found)
	})

	t.Run("200 counts drill down", func(t *testing.T) {
		type counts struct {
			Locality struct{ ID string } `json:"locality"`
			Cases    int                 `json:"cases"`
			Overdue  int                 `json:"overdue"`
			ByState  map[string]int      `json:"by_state"`
			ByKind   map[string]int      `json:"by_kind"`
		}
		var top struct {
			counts
			Children []counts `json:"children"`
		}
		a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/counts", nil).ok(t, http.StatusOK, &top)
		require.Equal(t, "nanhu", top.Locality.ID)
		require.Positive(t, top.Cases)
		var ids []string
		sum, kinds := 0, 0
		for _, c := range top.Children {
			ids = append(ids, c.Locality.ID)
			sum += c.Cases
		}
		for _, n := range top.ByKind {
			kinds += n
		}
		require.ElementsMatch(t, []string{"jianshe", "xinxing"}, ids)
		require.Equal(t, top.Cases, sum, "the streets hold every case of the county")
		require.Equal(t, top.Cases, kinds)
		a.call(t, "demo-unit", http.MethodGet, "/api/v1/counts", nil).fails(t, http.StatusForbidden, "forbidden")
	})

	t.Run("200 CSV exports", func(t *testing.T) {
		r := a.call(t, "demo-supervisor", http.MethodGet, "/api/v1/scores.csv?period="+month+"&type=unit", nil)
		require.Equal(t, http.StatusOK, r.Code, "%s", r.Body)
		require.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
		require.True(t, bytes.HasPrefix(r.Body, []byte("\uFEFF")), "a byte-order mark for spreadsheets")
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\uFEFF")))).ReadAll()
		require.NoError(t, err)
		require.Equal(t, "period", rows[0][0])
		require.Greater(t, len(rows), 1)

		r = a.call(t, "demo-axis", http.MethodGet, "/api/v1/overdue.csv", nil)
		require.Equal(t, http.StatusOK, r.Code, "%s", r.Body)
		rows, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\uFEFF")))).ReadAll()
		require.NoError(t, err)
		require.Equal(t, []string{"case_id", "case_title", "case_kind", "locality_id", "locality", "task_id", "unit_id", "unit",
			"level", "due_at", "lateness_hours"}, rows[0])
	})
}

func testPlaces(t *testing.T, a *apiEnv) {
	type places struct {
		Localities []struct{ ID, Name, Path string } `json:"localities"`
		Units      []struct{ ID, Name string }       `json:"units"`
	}
	ids := func(p places) (locs, units []string) {
		for _, l := range p.Localities {
			locs = append(locs, l.ID)
		}
		for _, u := range p.Units {
			units = append(units, u.ID)
		}
		return locs, units
	}
	var p places
	a.call(t, "demo-axis", http.MethodGet, "/api/v1/places", nil).ok(t, http.StatusOK, &p)
	locs, units := ids(p)
	require.Contains(t, locs, "nanhu", "the localities above")
	require.Contains(t, locs, "jianshe")
	require.Contains(t, locs, "dongzha-g1", "the subtree")
	require.NotContains(t, locs, "xinxing", "not another street")
	require.Contains(t, units, "u-power")
	require.NotEmpty(t, p.Localities[0].Name)

	a.call(t, "demo-unit", http.MethodGet, "/api/v1/places", nil).ok(t, http.StatusOK, &p)
	locs, units = ids(p)
	require.Equal(t, []string{"u-mingyuan-property"}, units)
	require.Len(t, locs, 1)
	a.call(t, "demo-admin", http.MethodGet, "/api/v1/places", nil).fails(t, http.StatusForbidden, "forbidden")
}
