package policy

import "testing"

// TestGermanAndFrench: the commonest German and French ways of affirming
// and denying a practice.
func TestGermanAndFrench(t *testing.T) {
	cases := []struct {
		text     string
		practice Practice
		want     Polarity
	}{
		{"Die Webseite verwendet keine Cookies.", Cookies, Denied},
		{"Wir setzen Cookies ein, um den Warenkorb zu speichern.", Cookies, Affirmed},
		{"Wir nutzen keine Analyse-Dienste.", Analytics, Denied},
		{"Wir verwenden Analyse-Dienste, um die Nutzung der Webseite zu verstehen.", Analytics, Affirmed},
		{"Wir verwenden keine Werbe-Cookies.", Advertising, Denied},
		{"Mit Ihrer Einwilligung zeigen wir personalisierte Werbung.", Advertising, Affirmed},
		{"MDN Plus gibt Ihre Daten nicht an Dritte weiter.", ThirdPartySharing, Denied},
		{"Wir übermitteln Ihre Lieferadresse an den Versanddienstleister.", ThirdPartySharing, Affirmed},
		{"Wir verkaufen Ihre Daten nicht.", SaleOfData, Denied},
		{"Wir setzen Cookies nicht ein.", Cookies, Denied},
		{"Sie können Cookies in den Einstellungen Ihres Browsers ablehnen.", BrowserOptOut, Affirmed},
		{"Wir verwenden Zählpixel in unseren Newslettern.", WebBeacons, Affirmed},
		{"Analyse-Cookies werden nur mit Ihrer Einwilligung gesetzt.", ConsentBeforeNonEssential, Affirmed},
		{"Wir verwenden keine Sitzungsaufzeichnungen und keine Heatmaps.", SessionRecording, Denied},
		{"Nous n'utilisons pas de cookies.", Cookies, Denied},
		{"Nous utilisons des cookies d'analyse pour mesurer l'audience.", Analytics, Affirmed},
		{"Nous n'utilisons aucun outil d'analyse.", Analytics, Denied},
		{"Nous ne vendons pas vos données personnelles.", SaleOfData, Denied},
		{"Nous ne partageons aucune information avec des tiers.", ThirdPartySharing, Denied},
		{"Nous partageons certaines informations avec nos partenaires publicitaires.", ThirdPartySharing, Affirmed},
		{"Avec votre consentement, nos partenaires placeront des cookies publicitaires.", ConsentBeforeNonEssential, Affirmed},
		{"Vous pouvez paramétrer votre navigateur pour qu'il bloque les cookies.", BrowserOptOut, Affirmed},
		{"Nous utilisons des pixels dans nos courriels.", EmailOpenTracking, Affirmed},
	}
	for _, c := range cases {
		pol, err := Default().Parse("p.txt", []byte(c.text), FormatText)
		if err != nil {
			t.Fatal(err)
		}
		if got := pol.Summary()[c.practice]; got != c.want {
			t.Errorf("%q: %s read as %q, want %q", c.text, c.practice, got, c.want)
		}
	}
}
