package policy

import "strings"

// German and French.
//
// Most policies a European site links to are in the site's language. The
// reader's English patterns cover the practices; this file adds the
// commonest German and French ways of saying the same, and the words the
// negation reader needs to see through them ("Die Webseite verwendet keine
// Cookies", "nous n'utilisons pas de cookies", "MDN Plus gibt Ihre Daten
// nicht an Dritte weiter"). It is deliberately small: each pattern names the
// practice with the nouns policies use for it, and the negation reader
// does the rest.
//
// Go's \b is ASCII-only, so no pattern puts \b before a letter like "ü";
// \pL stands for any letter in a word's tail.

// germanFrenchTriggers are negation triggers. "kein"/"aucun" negate the
// noun right after them, like "no".
var germanFrenchTriggers = strings.Fields(`kein keine keinen keinem keiner keines nicht nie niemals
	aucun aucune aucuns aucunes jamais pas ni ne`)

// nearTriggers, like "no", reach only the next words.
var nearTriggers = map[string]bool{"no": true, "nothing": true, "kein": true, "keine": true, "keinen": true,
	"keinem": true, "keiner": true, "keines": true, "aucun": true, "aucune": true, "aucuns": true, "aucunes": true}

func init() {
	for _, w := range germanFrenchTriggers {
		negTriggers[w] = true
	}
	for _, w := range strings.Fields(`verwenden verwendet verwendete nutzen nutzt genutzt einsetzen setzen setzt
		eingesetzt speichern speichert gespeichert erheben erhebt erfassen erfasst teilen teilt geteilt weitergeben
		gibt geben übermitteln übermittelt übertragen verkaufen verkauft vermieten platzieren platziert laden lädt
		utilisons utilise utilisent utiliser utilisé déposons dépose déposer plaçons place placer installons installe
		partageons partage partager partagé vendons vend vendre louons collectons collecte collecter transmettons
		transmet transmettre communiquons communique communiquer suivons suit`) {
		useVerbs[w] = true
		subjectEnd[w] = true
	}
	for _, w := range strings.Fields(`die der das den dem des und oder wir sie uns unsere unserer unseren unser
		unserem ihre ihr ihren ihrer es eine einen ein einem einer auf zu zur zum für mit von vom im in an bei
		diese dieser diesen dieses webseite website seite daten informationen personenbezogenen persönlichen
		irgendwelche weitere weiteren sonstige sonstigen auch derzeit
		de d des du les la le l et ou nous vous notre nos votre vos ce cette ces à au aux en sur pour avec par
		données informations personnelles site autres tiers
		verbindung verbindungen connection connections requests anfragen`) {
		fillers[w] = true
	}
	for _, w := range strings.Fields(`wir uns ich nous je`) {
		siteSubjects[w] = true
	}
	for _, w := range strings.Fields(`unsere unser unserer unseren unserem diese dieser dieses notre nos cette ce`) {
		siteDeterminers[w] = true
	}
	for _, w := range strings.Fields(`webseite webseiten internetseite internetseiten seite seiten shop onlineshop
		angebot unternehmen dienst dienste plattform site boutique application entreprise service services plateforme`) {
		siteNouns[w] = true
	}
	for _, w := range strings.Fields(`anbieter dienstleister zahlungsdienstleister zahlungsanbieter hostinganbieter
		hosting-anbieter versanddienstleister partner auftragsverarbeiter werkzeug werkzeuge prestataire prestataires
		fournisseur fournisseurs partenaire partenaires hébergeur outil outils sous-traitant sous-traitants`) {
		providerNouns[w] = true
	}
	for _, w := range strings.Fields(`vous utilisateur utilisateurs nutzer besucher`) {
		readerSubjects[w] = true
	}
}

// germanFrenchPatterns are added to patterns at start-up.
var germanFrenchPatterns = []pattern{
	// German.
	{needs: []string{"analyse", "statisti", "reichweite", "auswert"}, practice: Analytics, noun: true,
		re: rx(`((?:web)?analyse(?:-| )?(?:dienste?|tools?|werkzeuge?|software|funktionen|cookies|zwecke\w*)|webanalyse\w*|reichweitenmessung|statistische\w* (?:zwecke\w*|auswertung\w*|analyse\w*)|besucherstatistik\w*|auswertung des (?:nutzungs|besucher)verhaltens)`)},
	{needs: []string{"werb", "retargeting", "remarketing"}, practice: Advertising, noun: true,
		re: rx(`((?:personalisierte|interessenbasierte|zielgerichtete)\pL* (?:werbung|anzeigen)|werbung|werbe[\pL-]*|retargeting|remarketing)`)},
	{needs: []string{"schaltfl", "social-media", "social media", "soziale"}, practice: SocialWidgets, noun: true,
		re: rx(`(schaltflächen` + words(5) + `(?:social[- ]media|sozialen? (?:netzwerke\pL*|medien))|social[- ]media[- ](?:schaltflächen|buttons|plugins?|plug-ins?)|soziale\pL* (?:plugins?|plug-ins?))`)},
	{needs: []string{"sitzungsaufzeichnung", "session-replay", "heatmap", "mausbewegung", "aufzeichnung"}, practice: SessionRecording, noun: true,
		re: rx(`(sitzungsaufzeichnung\pL*|session-replay[\pL-]*|heatmaps?|mausbewegungen|aufzeichnung\pL* (?:von |der |ihrer )?(?:sitzungen|mausbewegungen|bildschirm\pL*))`)},
	{needs: []string{"zählpixel", "tracking-pixel", "trackingpixel"}, practice: WebBeacons, noun: true,
		re: rx(`(zählpixel\pL*|tracking-?pixel\pL*)`)},
	// Sharing: the recipient anchors the negation, which German puts after
	// the verb ("gibt Ihre Daten nicht an Dritte weiter").
	{needs: []string{"dritt", "dienstleister", "empfänger", "auftragsverarbeiter", "partner"}, practice: ThirdPartySharing,
		re:       rx(`((?:an|mit|über) (?:die |den |unsere\pL* |weitere\pL* |sonstige\pL* |von uns eingesetzten )*(?:dritte\pL*|drittanbieter\pL*|dienstleister\pL*|versanddienstleister\pL*|empfänger\pL*|auftragsverarbeiter\pL*|partner\pL*))`),
		requires: rx(`weiter|übermitt|übertrag|offenleg|teilen|geben|gibt|verkauf`)},
	{needs: []string{"übermitt", "weitergabe", "weitergeben"}, practice: ThirdPartySharing,
		re: rx(`(übermitteln|übermittelt|übermittlung|weitergabe|weitergeben)`), requires: rx(`(?:^|\s)an\s`)},
	{needs: []string{"verkauf"}, practice: SaleOfData, re: rx(`(verkauf\pL*)`), requires: rx(`daten`)},
	{needs: []string{"cookie"}, practice: BrowserOptOut,
		re: rx(`(cookies?[^.;]{0,120}?(?:ablehnen|blockieren|löschen|deaktivieren|unterbinden|verhindern))`)},
	{needs: []string{"einwilligung", "zustimmung"}, practice: ConsentBeforeNonEssential, fixed: Affirmed,
		re: rx(`((?:nur|erst) (?:mit|nach) (?:ihrer|deiner) (?:vorherigen |ausdrücklichen )?(?:einwilligung|zustimmung))`), requires: rx(`cookie|tracking|analyse|werbe|dienste|technologien`)},

	// French.
	{needs: []string{"analyse", "statistiques", "mesure d"}, practice: Analytics, noun: true,
		re: rx(`(outils? d['’]analyses?|cookies d['’]analyses?|analyse d['’]audience|mesure d['’]audience|statistiques de (?:visite|fréquentation))`)},
	{needs: []string{"publicit", "annonces"}, practice: Advertising, noun: true,
		re: rx(`(publicit\pL*|annonces (?:personnalisées|ciblées))`)},
	{needs: []string{"youtube", "vimeo", "partage", "sociaux"}, practice: SocialWidgets, noun: true,
		re: rx(`(vidéos? (?:youtube|vimeo)|boutons? de partage|modules? sociaux|plug-?ins? sociaux)`)},
	{needs: []string{"pixel", "balise"}, practice: WebBeacons, noun: true,
		re: rx(`(pixels?|balises? web)`), requires: rx(`courriels?|suivi|traçage|cookies?|publicit`)},
	{needs: []string{"pixel"}, practice: EmailOpenTracking,
		re: rx(`(pixels?` + words(3) + `dans (?:nos |les |vos )?(?:courriels|e-mails|emails|newsletters|messages))`)},
	{needs: []string{"partag", "communiqu", "transmet", "divulgu", "transf"}, practice: ThirdPartySharing,
		re: rx(`((?:partag|communiqu|transmet|divulgu|transf[eé]r)\pL*` + words(10) + `(?:à |avec )?(?:des |ces |nos |les |de )?(?:tiers|partenaires|prestataires|fournisseurs|sous-traitants))`)},
	{needs: []string{"vend"}, practice: SaleOfData, re: rx(`(vend(?:ons|re|u|ues|us|ent))`), requires: rx(`données|informations`)},
	{needs: []string{"navigateur", "cookie"}, practice: BrowserOptOut,
		re: rx(`(navigateur` + words(8) + `cookies|(?:bloquer|refuser|supprimer|désactiver)` + words(4) + `cookies)`)},
	{needs: []string{"consentement"}, practice: ConsentBeforeNonEssential, fixed: Affirmed,
		re: rx(`((?:avec|après avoir obtenu|sous réserve de) votre consentement)`), requires: rx(`cookies?|traceurs?`)},
}

func init() {
	patterns = append(patterns, germanFrenchPatterns...)
}

// trailingNicht reports German verb-second negation: "nicht" at the end of
// the clause, before at most a separable particle, negates what the
// clause says ("Wir verkaufen Ihre Daten nicht", "Wir setzen Cookies nicht
// ein"). "nicht" is German only, so English text never gets here.
func trailingNicht(toks []token, b int) bool {
	for k := b; k < len(toks); k++ {
		w := toks[k].w
		if toks[k].punct && w != "," {
			return false
		}
		if w == "," || w == "sondern" || w == "aber" || w == "außer" {
			return false
		}
		if w != "nicht" && w != "nie" && w != "niemals" {
			continue
		}
		n := k + 1
		if n < len(toks) && separableParticles[toks[n].w] {
			n++
		}
		return n >= len(toks) || toks[n].punct
	}
	return false
}

var separableParticles = map[string]bool{"ein": true, "weiter": true, "an": true, "ab": true, "zu": true,
	"fest": true, "bereit": true, "vor": true, "her": true}
