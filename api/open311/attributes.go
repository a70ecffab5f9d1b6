package open311

import "github.com/qilian/qilian"

// attribute is one Open311 attribute a service asks for: a field of the
// details its kind needs to open a case. Detail is the field's name in the
// case API's errors, so the domain's refusals can be named by attribute.
type attribute struct {
	Code                string
	Detail              string
	Datatype            string // string, number, datetime, text, singlevaluelist or multivaluelist
	Required            bool
	DatatypeDescription string
	Description         string
	Values              []valueOut
}

// kindAttributes are the attributes by kind, in the order a form asks
// them: the kind's fields (qilian.Kind.Fields), so Open311 asks what Open
// checks. Kinds whose cases need no details ask for none.
var kindAttributes = attributesByKind()

func attributesByKind() map[qilian.Kind][]attribute {
	out := map[qilian.Kind][]attribute{}
	for _, k := range qilian.Kinds() {
		for _, f := range k.Fields() {
			out[k] = append(out[k], attributeOf(f))
		}
	}
	return out
}

// datatypes are the Open311 datatypes of the field types.
var datatypes = map[qilian.FieldType]string{
	qilian.FieldString: "string", qilian.FieldNumber: "number", qilian.FieldTime: "datetime",
	qilian.FieldText: "text", qilian.FieldChoice: "singlevaluelist", qilian.FieldChoices: "multivaluelist",
}

// attributeOf is a field as Open311 asks for it, in Chinese: the field's
// name describes it, its hint describes the datatype.
func attributeOf(f qilian.Field) attribute {
	a := attribute{
		Code: f.Code, Detail: f.Path, Datatype: datatypes[f.Type], Required: f.Required,
		DatatypeDescription: f.HintZH, Description: f.NameZH,
	}
	for _, c := range f.Choices {
		a.Values = append(a.Values, valueOut{Key: c.Key, Name: c.NameZH})
	}
	return a
}

// attributesOf lists the attributes of a kind's services.
func attributesOf(k qilian.Kind) []attribute { return kindAttributes[k] }

// knownAttribute reports whether any service has an attribute code.
func knownAttribute(code string) bool {
	for _, as := range kindAttributes {
		for _, a := range as {
			if a.Code == code {
				return true
			}
		}
	}
	return false
}
