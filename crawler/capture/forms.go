package capture

// FormField is one visible form field the browser filled (--forms) with the
// test identity's value of Kind, without submitting the form.
type FormField struct {
	Form string `json:"form,omitempty"` // the form's id, name or action; "" for a field outside a form
	Name string `json:"name"`           // the field's name, id or type
	Kind string `json:"kind"`           // "email", "phone", "name", "postcode"
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
