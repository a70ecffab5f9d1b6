package points_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qilian/qilian"
	"github.com/qilian/qilian/configs"
	"github.com/qilian/qilian/points"
)

func TestShippedSetIsTheReportsShape(t *testing.T) {
	set, err := configs.ParseIndicators(configs.ExampleIndicators())
	require.NoError(t, err)
	require.Equal(t, 34, set.Len(), "the report's 34 indicators")

	count := map[qilian.Level]int{}
	for _, ind := range set.All() {
		count[ind.Level]++
	}
	for _, l := range points.Levels() {
		require.Positive(t, count[l], "every one of the seven levels has indicators: %s", l)
	}
	require.Len(t, points.Levels(), 7)

	street := set.Level(qilian.LevelStreet)
	require.Len(t, street, 5, "the street level has 5 indicators")
	total := 0.0
	for _, ind := range street {
		total += ind.Max
	}
	require.Equal(t, 100.0, total, "worth 100 points in all")

	grades, measures, subjects := map[points.Grade]int{}, map[points.Measure]int{}, map[string]int{}
	for _, ind := range set.All() {
		grades[ind.Grade]++
		measures[ind.Measure]++
		subjects[ind.Subject]++
	}
	require.Positive(t, grades[points.GradeStandard])
	require.Positive(t, grades[points.GradeDemonstration])
	require.Positive(t, measures[points.MeasureAuto])
	require.Positive(t, measures[points.MeasureManual])
	require.Positive(t, subjects[qilian.SubjectUnit])
	require.Positive(t, subjects[qilian.SubjectLocality])

	raw := string(configs.ExampleIndicators())
	require.Contains(t, raw, "示例", "the file says, in Chinese, that it is an example")
	require.Contains(t, raw, "EXAMPLE", "and in English")
}

func TestConfigReadsTheIndicatorsFile(t *testing.T) {
	c, err := configs.Load("", func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	set, err := c.Indicators()
	require.NoError(t, err)
	require.Equal(t, 34, set.Len(), "empty setting: the shipped example")

	// A city's own set: another count per level and another street total
	// are its choice.
	file := filepath.Join(t.TempDir(), "ours.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
indicators:
  - {id: s_fast, level: street, name: 快速响应, name_en: Fast response, max: 60, grade: standard,
     subject: locality, measure: auto, rules: [{kind: task_accepted_on_time, points: 1}]}
  - {id: s_brand, level: street, name: 品牌, name_en: Brand, max: 10, grade: demonstration,
     subject: locality, measure: manual}
`), 0o600))
	c, err = configs.Load("", func(k string) (string, bool) { return file, k == "QILIAN_INDICATORS_FILE" })
	require.NoError(t, err)
	set, err = c.Indicators()
	require.NoError(t, err)
	require.Equal(t, 2, set.Len())
	ind, ok := set.Indicator("s_fast")
	require.True(t, ok)
	require.Equal(t, []points.Rule{{Kind: qilian.PointsAcceptedOnTime, Points: 1}}, ind.Rules)

	require.NoError(t, os.WriteFile(file, []byte("indicators:\n  - {id: x, colour: red}\n"), 0o600))
	_, err = c.Indicators()
	require.ErrorIs(t, err, qilian.ErrInvalid)
	require.Contains(t, err.Error(), file, "the error names the file")
	require.Contains(t, err.Error(), `indicators[0]: unknown key "colour"`)

	c.Points.IndicatorsFile = filepath.Join(t.TempDir(), "missing.yaml")
	_, err = c.Indicators()
	require.ErrorContains(t, err, "QILIAN_INDICATORS_FILE")
}

// good is a valid indicator in YAML flow style; tests replace parts of it.
const good = `{id: a, level: street, name: 甲, name_en: A, max: 10, grade: standard, subject: locality, measure: auto, rules: [{kind: satisfied, points: 1}]}`

func TestParseNamesWhatIsWrong(t *testing.T) {
	manual := `{id: m, level: street, name: 乙, name_en: B, max: 10, grade: standard, subject: locality, measure: manual}`
	for name, tc := range map[string]struct {
		yaml  string
		field string
		msg   string
	}{
		"unknownKey":       {"indicators: [" + strings.Replace(good, "id: a", "id: a, colour: red", 1) + "]", "indicators[0]", `unknown key "colour"`},
		"unknownRuleKey":   {"indicators: [" + strings.Replace(good, "points: 1", "points: 1, weight: 2", 1) + "]", "indicators[0]", `unknown key "weight"`},
		"unknownTopKey":    {"version: 2\nindicators: [" + good + "]", "file", `unknown key "version"`},
		"wrongType":        {"indicators: [" + strings.Replace(good, "max: 10", "max: ten", 1) + "]", "indicators[0]", "max"},
		"empty":            {"", "indicators", "at least one"},
		"duplicateID":      {"indicators: [" + good + ", " + good + "]", "indicators[1].id", "also the id of indicators[0]"},
		"badID":            {"indicators: [" + strings.Replace(good, "id: a", "id: A b", 1) + "]", "indicators[0].id", "lowercase"},
		"gridLevel":        {"indicators: [" + strings.Replace(good, "street", "grid", 1) + "]", "indicators[0].level", "social_org"},
		"noName":           {"indicators: [" + strings.Replace(good, "name: 甲, ", "", 1) + "]", "indicators[0].name", "Chinese"},
		"noEnglishName":    {"indicators: [" + strings.Replace(good, "name_en: A, ", "", 1) + "]", "indicators[0].name_en", "English"},
		"noMax":            {"indicators: [" + strings.Replace(good, "max: 10, ", "", 1) + "]", "indicators[0].max", "more than 0"},
		"negativeMax":      {"indicators: [" + strings.Replace(good, "max: 10", "max: -5", 1) + "]", "indicators[0].max", "more than 0"},
		"badGrade":         {"indicators: [" + strings.Replace(good, "standard", "gold", 1) + "]", "indicators[0].grade", "standard or demonstration"},
		"badSubject":       {"indicators: [" + strings.Replace(good, "subject: locality", "subject: member", 1) + "]", "indicators[0].subject", "unit or locality"},
		"badMeasure":       {"indicators: [" + strings.Replace(good, "measure: auto", "measure: magic", 1) + "]", "indicators[0].measure", "auto or manual"},
		"autoWithoutRules": {"indicators: [" + strings.Replace(good, ", rules: [{kind: satisfied, points: 1}]", "", 1) + "]", "indicators[0].rules", "at least one rule"},
		"manualWithRules":  {"indicators: [" + strings.Replace(manual, "measure: manual", "measure: manual, rules: [{kind: satisfied, points: 1}]", 1) + "]", "indicators[0].rules", "only auto"},
		"unknownKind":      {"indicators: [" + strings.Replace(good, "kind: satisfied", "kind: happy", 1) + "]", "indicators[0].rules[0].kind", `"happy"`},
		"zeroPoints":       {"indicators: [" + strings.Replace(good, "points: 1", "points: 0", 1) + "]", "indicators[0].rules[0].points", "not zero"},
		"missingPoints":    {"indicators: [" + strings.Replace(good, ", points: 1", "", 1) + "]", "indicators[0].rules[0].points", "not zero"},
		"ofOnUnit":         {"indicators: [" + strings.NewReplacer("subject: locality", "subject: unit", "points: 1", "points: 1, of: unit").Replace(good) + "]", "indicators[0].rules[0].of", "only locality"},
		"badOf":            {"indicators: [" + strings.Replace(good, "points: 1", "points: 1, of: grid", 1) + "]", "indicators[0].rules[0].of", "unit, locality or member"},
		"hoursWithoutOf":   {"indicators: [" + strings.Replace(good, "kind: satisfied", "kind: hours_confirmed", 1) + "]", "indicators[0].rules[0].of", "member or unit"},
		"badCaseKind":      {"indicators: [" + strings.Replace(good, "points: 1", "points: 1, case_kinds: [service_linkage, gossip]", 1) + "]", "indicators[0].rules[0].case_kinds[1]", `"gossip"`},
		"overlappingRules": {"indicators: [" + strings.Replace(good, "points: 1}", "points: 1}, {kind: satisfied, points: 2, case_kinds: [service_linkage]}", 1) + "]", "indicators[0].rules[1]", "overlaps rules[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := configs.ParseIndicators([]byte(tc.yaml))
			var de *qilian.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, qilian.EINVALID, de.Code)
			require.Contains(t, de.Fields, tc.field, "fields: %v", de.Fields)
			require.Contains(t, de.Fields[tc.field], tc.msg)
			require.Contains(t, de.Error(), tc.field+": ", "the message names the field too")
		})
	}
}

func TestParseAcceptsWhatIsRight(t *testing.T) {
	// Rules of one kind that no event can match twice are fine: other case
	// kinds, or other subjects.
	set, err := configs.ParseIndicators([]byte(`indicators:
  - {id: a, level: community, name: 甲, name_en: A, max: 10, grade: standard, subject: locality, measure: auto,
     rules: [{kind: task_resolved_on_time, points: 1, case_kinds: [service_linkage]},
             {kind: task_resolved_on_time, points: 3, case_kinds: [problem_solving]},
             {kind: hours_confirmed, points: 0.5, of: member},
             {kind: activity_joined, points: 1, of: unit},
             {kind: activity_joined, points: 0.5, of: locality}]}
`))
	require.NoError(t, err)
	ind, _ := set.Indicator("a")
	require.Len(t, ind.Rules, 5)
	require.Equal(t, []qilian.Kind{qilian.KindProblemSolving}, ind.Rules[1].CaseKinds)

	// JSON straight into points, as configs hands it over.
	_, err = points.Parse([]byte(`{"indicators":[{"id":"b","level":"county","name":"乙","name_en":"B","max":5,"grade":"demonstration","subject":"unit","measure":"manual"}]}`))
	require.NoError(t, err)
	_, err = points.Parse([]byte(`{"indicators":[]} {}`))
	require.ErrorIs(t, err, qilian.ErrInvalid, "trailing data is refused")
}

func TestErrorsListEveryOffence(t *testing.T) {
	_, err := configs.ParseIndicators([]byte("indicators:\n  - {id: a, level: moon, max: 0}\n"))
	var de *qilian.Error
	require.ErrorAs(t, err, &de)
	for _, f := range []string{"indicators[0].level", "indicators[0].name", "indicators[0].name_en", "indicators[0].max",
		"indicators[0].grade", "indicators[0].subject", "indicators[0].measure"} {
		require.Contains(t, de.Fields, f)
	}
}
