// Package qilian is the domain of the Qilian case engine: localities and
// units (and the areas of grids), users and roles, cases and tasks of the
// seven linkages and their categories, the states they move through, and
// the errors every adapter translates to and from.
//
// It imports only the standard library. Temporal, Gin and GORM live in the
// adapter packages (workflows, activities, api, storage) that depend on it.
package qilian

// Durable contracts with Temporal. Renaming any of these orphans running
// cases, so they are constants here rather than literals in adapters.
const (
	// TaskQueue is the one task queue every Qilian worker polls.
	TaskQueue = "qilian-cases"
	// CaseWorkflowName is the registered name of the per-case workflow.
	CaseWorkflowName = "qilian.case"
	// DefaultNamespace is the Temporal namespace used when none is configured.
	DefaultNamespace = "qilian"
)

// Search attributes the engine keeps on every case workflow, so the
// Temporal UI and CLI can filter cases. Lists that people read come from the
// read model, never from visibility.
const (
	SearchAttrKind     = "QilianKind"
	SearchAttrState    = "QilianState"
	SearchAttrLocality = "QilianLocality"
	SearchAttrOverdue  = "QilianOverdue"
	SearchAttrLevel    = "QilianEscalation"
	// SearchAttrProvisional is set while an open task runs against a
	// deadline counted over a year without official calendar data.
	SearchAttrProvisional = "QilianProvisional"
)

// SearchAttrType is the Temporal type of a custom search attribute, spelled
// as Temporal's IndexedValueType names it.
type SearchAttrType string

// Search attribute types used by the engine.
const (
	SearchAttrKeyword SearchAttrType = "Keyword"
	SearchAttrBool    SearchAttrType = "Bool"
	SearchAttrInt     SearchAttrType = "Int"
)

// SearchAttributes lists the custom search attributes the namespace must
// have before a worker starts.
func SearchAttributes() map[string]SearchAttrType {
	return map[string]SearchAttrType{
		SearchAttrKind:     SearchAttrKeyword,
		SearchAttrState:    SearchAttrKeyword,
		SearchAttrLocality: SearchAttrKeyword,
		SearchAttrOverdue:  SearchAttrBool,
		SearchAttrLevel:    SearchAttrInt,

		SearchAttrProvisional: SearchAttrBool,
	}
}

// CaseWorkflowID is the Temporal workflow ID of a case: one workflow per
// case, derived from the case ID so that a retried start finds the same one.
func CaseWorkflowID(caseID string) string { return "case/" + caseID }
