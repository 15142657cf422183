package realsite

import (
	"fmt"
	"html"
	"net/http"
	"strings"
)

// page is one page of the shop.
type page struct{ path, title, body string }

// Pages are the shop's seven pages, home first. The home page links every
// other page (Blacklight samples its pages from the landing page's links).
var Pages = []page{
	{"/", "Northwind Coffee", "Fresh roasts, brewing gear and a newsletter."},
	{"/category/coffee", "Coffee", "Single origins and blends, roasted weekly."},
	{"/product/espresso-beans", "Espresso beans, 1 kg", "Dark chocolate, hazelnut. 24.90 EUR."},
	{"/product/pour-over-kettle", "Pour-over kettle", "Gooseneck, 0.8 l, stainless steel. 49.00 EUR."},
	{"/product/burr-grinder", "Burr grinder", "40 mm conical burrs, 31 settings. 139.00 EUR."},
	{"/cart", "Your cart", "Two items. Shipping is free from 40 EUR."},
	{"/privacy", "Privacy policy", "We use PostHog, Mixpanel and Amplitude for product analytics and session replay after you agree, and Snowplow without identifiers before."},
}

// Grow adds product pages, each with the same SDKs and consent manager as
// the others, until the shop has n pages: the ground truth does not change,
// so a larger shop measures how time and memory grow with pages. Call it
// before Start.
func Grow(n int) {
	for i := len(Pages); i < n; i++ {
		// Letters, not numbers, in the path: the crawler takes at most 20
		// numbered variants of one path shape (a crawler trap otherwise).
		slug := letters(i)
		Pages = append(Pages, page{"/product/roast-" + slug, "Roast " + strings.ToUpper(slug) + ", 250 g",
			fmt.Sprintf("A seasonal roast, lot %s. %d.50 EUR.", strings.ToUpper(slug), 9+i%20)})
	}
}

// letters spells i in base 26 with the letters a to z, two at least.
func letters(i int) string {
	var b []byte
	for ; i > 0 || len(b) < 2; i /= 26 {
		b = append([]byte{byte('a' + i%26)}, b...)
	}
	return string(b)
}

// head loads the consent manager and the pixel for every visitor; the
// analytics and replay SDKs sit in script tags the consent manager runs
// only once the "analytics" category is accepted (its manageScriptTags).
const head = `<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/vanilla-cookieconsent@3.1.0/dist/cookieconsent.css">
<script src="/assets/shop.js"></script>
<script src="https://cdn.jsdelivr.net/npm/@snowplow/browser-tracker@4.10.1/dist/index.umd.min.js" onload="realshop.startPixel()"></script>
<script type="text/plain" data-category="analytics" data-service="PostHog">
realshop.load('https://us-assets.i.posthog.com/static/array.full.js', function () {
  posthog.init('` + PostHogToken + `', {
    api_host: 'https://us.i.posthog.com',
    person_profiles: 'always',
    persistence: 'localStorage+cookie',
    capture_pageview: true,
    autocapture: true,
    disable_surveys: true,
    session_recording: { maskAllInputs: true }
  });
  realshop.sdks.push('posthog');
});
</script>
<script type="text/plain" data-category="analytics" data-service="Mixpanel">
realshop.load('/assets/vendor/mixpanel-snippet.js', function () {
  mixpanel.init('` + MixpanelToken + `', {
    batch_requests: true,
    batch_flush_interval_ms: 1000,
    track_pageview: true,
    persistence: 'cookie',
    record_sessions_percent: 100
  });
  realshop.sdks.push('mixpanel');
});
</script>
<script type="text/plain" data-category="analytics" data-service="Amplitude">
realshop.load('https://cdn.amplitude.com/libs/analytics-browser-` + amplitudeBuild + `-min.js.gz', function () {
  amplitude.init('` + AmplitudeKey + `', { autocapture: { pageViews: true, sessions: true }, flushIntervalMillis: 1000 });
  realshop.sdks.push('amplitude');
});
</script>
<script defer src="https://cdn.jsdelivr.net/npm/vanilla-cookieconsent@3.1.0/dist/cookieconsent.umd.js"></script>
<script defer src="/assets/consent.js"></script>
`

// shopJS is the shop's own code: a script loader, a promo carousel that
// changes the page every second (so a session recorder has something to
// stream) and reports each impression to every SDK that runs, and the
// Snowplow pixel, anonymous until analytics consent.
const shopJS = `window.realshop = (function () {
  var sdks = [];
  function load(src, done) {
    var s = document.createElement('script');
    s.src = src; s.async = true; s.onload = done;
    document.head.appendChild(s);
  }
  var promos = ['Free shipping from 40 EUR', 'New: Ethiopia Guji', 'Grinder -15% this week', 'Brew guide: V60'];
  var n = 0;
  function rotate() {
    var el = document.getElementById('promo');
    if (!el) return;
    n++;
    var promo = promos[n % promos.length];
    el.textContent = promo;
    var props = { promo: promo, slot: n };
    if (sdks.indexOf('posthog') >= 0) posthog.capture('promo_impression', props);
    if (sdks.indexOf('mixpanel') >= 0) mixpanel.track('promo_impression', props);
    if (sdks.indexOf('amplitude') >= 0) amplitude.track('promo_impression', props);
    if (window.snowplowBrowserTracking) snowplowBrowserTracking.trackStructEvent({ category: 'promo', action: 'impression', label: promo, value: n });
  }
  function startPixel() {
    var sp = window.snowplowBrowserTracking;
    sp.newTracker('sp', 'https://` + SnowplowHost + `', {
      appId: '` + SnowplowAppID + `',
      eventMethod: 'get',
      anonymousTracking: { withServerAnonymisation: true, withSessionTracking: false },
      stateStorageStrategy: 'none',
      contexts: { webPage: true }
    });
    sp.trackPageView();
  }
  function analyticsAccepted() {
    // Snowplow keeps its identifiers only with consent (its documented
    // anonymous-tracking switch).
    var sp = window.snowplowBrowserTracking;
    if (sp) sp.disableAnonymousTracking({ stateStorageStrategy: 'cookieAndLocalStorage' });
  }
  setInterval(rotate, 1000);
  return { load: load, sdks: sdks, startPixel: startPixel, analyticsAccepted: analyticsAccepted };
})();
`

// consentJS configures vanilla-cookieconsent: opt-in, a "necessary" and an
// "analytics" category, Accept all / Reject all on the first layer.
const consentJS = `CookieConsent.run({
  guiOptions: { consentModal: { layout: 'box', position: 'bottom right' } },
  categories: {
    necessary: { enabled: true, readOnly: true },
    analytics: { autoClear: { cookies: [{ name: /^(mp_|AMP_|ph_|_sp_)/ }] } }
  },
  onConsent: function () {
    if (CookieConsent.acceptedCategory('analytics')) realshop.analyticsAccepted();
  },
  language: {
    default: 'en',
    translations: {
      en: {
        consentModal: {
          title: 'We use cookies',
          description: 'With your consent we measure how the shop is used and record sessions to improve it.',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          showPreferencesBtn: 'Manage preferences',
          footer: '<a href="/privacy">Privacy policy</a>'
        },
        preferencesModal: {
          title: 'Cookie preferences',
          acceptAllBtn: 'Accept all',
          acceptNecessaryBtn: 'Reject all',
          savePreferencesBtn: 'Save preferences',
          closeIconLabel: 'Close',
          sections: [
            { title: 'Strictly necessary', description: 'The cart and this choice.', linkedCategory: 'necessary' },
            { title: 'Analytics and session replay', description: 'PostHog, Mixpanel, Amplitude, Snowplow identifiers.', linkedCategory: 'analytics' }
          ]
        }
      }
    }
  }
});
`

func serveShop(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: https://%s/sitemap.xml\n", ShopHost)
		return
	case "/sitemap.xml":
		w.Header().Set("Content-Type", "application/xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, p := range Pages {
			fmt.Fprintf(&b, "<url><loc>https://%s%s</loc></url>\n", ShopHost, p.path)
		}
		b.WriteString("</urlset>\n")
		w.Write([]byte(b.String()))
		return
	case "/assets/shop.js":
		w.Header().Set("Content-Type", "application/javascript")
		w.Write([]byte(shopJS))
		return
	case "/assets/consent.js":
		w.Header().Set("Content-Type", "application/javascript")
		w.Write([]byte(consentJS))
		return
	}
	for i, p := range Pages {
		if p.path == r.URL.Path {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			// The cart session: strictly necessary, set for every visitor.
			w.Header().Add("Set-Cookie", "shop_session=s"+fmt.Sprint(i)+"; Path=/; Secure; HttpOnly; SameSite=Lax")
			w.Write([]byte(renderPage(i)))
			return
		}
	}
	http.NotFound(w, r)
}

func renderPage(i int) string {
	p := Pages[i]
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>\n%s</head><body>\n", html.EscapeString(p.title), head)
	b.WriteString("<nav>")
	if i == 0 {
		for _, q := range Pages[1:] {
			fmt.Fprintf(&b, "<a href=\"%s\">%s</a> ", q.path, html.EscapeString(q.title))
		}
	} else {
		b.WriteString(`<a href="/">Home</a> `)
		if i+1 < len(Pages) {
			fmt.Fprintf(&b, "<a href=\"%s\">%s</a>", Pages[i+1].path, html.EscapeString(Pages[i+1].title))
		}
	}
	b.WriteString("</nav>\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>%s</p>\n<p id=\"promo\">Welcome</p>\n", html.EscapeString(p.title), html.EscapeString(p.body))
	b.WriteString("<form><label>Newsletter <input type=\"email\" name=\"email\"></label> <button type=\"button\">Sign up</button></form>\n")
	b.WriteString("</body></html>\n")
	return b.String()
}
