package capture

// FormField is one visible form field the browser filled (--forms) with the
// test identity's value of Kind, without submitting the form.
type FormField struct {
	Form string `json:"form,omitempty"` // the form's id, name or action; "" for a field outside a form
	Name string `json:"name"`           // the field's name, id or type
	Kind string `json:"kind"`           // "email", "phone", "name", "postcode"
}

// FormSubmit is one form --forms submit considered for a submit: the form
// was submitted once after its fill was observed, or skipped with a reason
// (a payment, password or deletion form is never submitted by a test).
type FormSubmit struct {
	Form   string `json:"form"`             // the form's id, name or action, as in FormField.Form
	Action string `json:"action,omitempty"` // absolute URL the form posts to
	Method string `json:"method,omitempty"` // GET or POST
	// Submitted says the form was submitted; what followed is in the
	// page's requests marked OnSubmit.
	Submitted bool `json:"submitted"`
	// Skipped says why it was not: "payment", "password", "deletion",
	// "invalid" (a required field the test identity does not fill), "gone"
	// (the form was not found again after an earlier submit).
	Skipped string `json:"skipped,omitempty"`
	Detail  string `json:"detail,omitempty"` // what made it so, e.g. the field "cc-number"
}

// TestIdentity is the made-up person --forms types into forms. Its values
// are distinctive so that finding one in a request is no coincidence; the
// email domain is reserved (RFC 2606) and the phone number is in Ofcom's
// range kept for drama.
var TestIdentity = struct {
	Email, Phone, FirstName, LastName, Postcode string
}{
	Email:     "Robin.Quillfeather@example.com",
	Phone:     "+44 7700 900123",
	FirstName: "Robin",
	LastName:  "Quillfeather",
	Postcode:  "ZZ9 9ZZ",
}
