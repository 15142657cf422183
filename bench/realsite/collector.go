package realsite

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// gif is a transparent 1x1 GIF, the answer of pixel endpoints.
var gif = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// posthogConfig is the remote config PostHog's SDK fetches from its assets
// host: it turns session replay on (sessionRecording with an endpoint), as
// a project with replay enabled answers.
const posthogConfig = `{"token":"` + PostHogToken + `","supportedCompression":["gzip","gzip-js"],` +
	`"hasFeatureFlags":false,"captureDeadClicks":false,"capturePerformance":false,"autocapture_opt_out":false,` +
	`"autocaptureExceptions":false,"analytics":{"endpoint":"/i/v0/e/"},"elementsChainAsString":true,` +
	`"sessionRecording":{"endpoint":"/s/","consoleLogRecordingEnabled":false,"recorderVersion":"v2","sampleRate":null,"minimumDurationMilliseconds":null,"linkedFlag":null,"networkPayloadCapture":null,"urlTriggers":[],"urlBlocklist":[],"eventTriggers":[],"scriptConfig":null},` +
	`"heatmaps":false,"surveys":false,"defaultIdentifiedOnly":false,"siteApps":[]}`

// posthogFlags answers /flags: no flags, and the same replay switch for
// SDK versions that read it there.
const posthogFlags = `{"flags":{},"featureFlags":{},"featureFlagPayloads":{},"errorsWhileComputingFlags":false,"quotaLimited":[],"requestId":"realbench",` +
	`"sessionRecording":{"endpoint":"/s/"},"supportedCompression":["gzip","gzip-js"]}`

// serveCollector answers every request to a vendor API host the way the
// vendor does when it accepts the data: 200 with the smallest body its SDK
// parses, CORS open to the page (with credentials: Mixpanel and PostHog send
// XHRs withCredentials).
func serveCollector(w http.ResponseWriter, r *http.Request, host string) {
	h := w.Header()
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		if want := r.Header.Get("Access-Control-Request-Headers"); want != "" {
			h.Set("Access-Control-Allow-Headers", want)
		}
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	p := r.URL.Path
	json := func(body string) {
		h.Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
	switch host {
	case posthogAssets:
		switch {
		case strings.HasSuffix(p, "/config.js"):
			h.Set("Content-Type", "application/javascript")
			fmt.Fprintf(w, "(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};window._POSTHOG_REMOTE_CONFIG[%q]={config:%s,siteApps:[]}})();", PostHogToken, posthogConfig)
		case strings.HasSuffix(p, "/config"):
			json(posthogConfig)
		default:
			json("{}")
		}
	case posthogAPI:
		if strings.HasPrefix(p, "/flags") || strings.HasPrefix(p, "/decide") {
			json(posthogFlags)
			return
		}
		json(`{"status":1}`)
	case mixpanelAPI:
		if r.URL.Query().Get("verbose") == "1" {
			json(`{"status":1,"error":null}`)
			return
		}
		h.Set("Content-Type", "text/plain")
		w.Write([]byte("1"))
	case amplitudeAPI:
		json(fmt.Sprintf(`{"code":200,"events_ingested":1,"payload_size_bytes":1,"server_upload_time":%d}`, time.Now().UnixMilli()))
	case amplitudeCfg:
		json(`{"configs":{}}`)
	case SnowplowHost:
		if p == "/i" {
			h.Set("Content-Type", "image/gif")
			w.Write(gif)
			return
		}
		json("{}")
	default:
		h.Set("Content-Type", "image/gif")
		w.Write(gif)
	}
}
