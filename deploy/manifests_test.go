// Package deploy checks the deployment files: the Kubernetes manifests are
// decoded strictly into the API types (an unknown or misspelt field fails)
// and checked for what a multi-site audit needs; the GitHub Actions
// workflow runs every shard and merges them. A module of its own, so the
// main module does not carry the Kubernetes API.
package deploy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// objects splits a multi-document manifest and decodes each document
// strictly into the API type its kind names.
func objects(t *testing.T, path string) []any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(raw), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("%s document %d: %v", path, i, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "batch/v1 Job":
			obj = &batchv1.Job{}
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		case "networking.k8s.io/v1 NetworkPolicy":
			obj = &networkingv1.NetworkPolicy{}
		default:
			t.Fatalf("%s document %d: unexpected kind %q %q", path, i, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s document %d (%s): %v", path, i, tm.Kind, err)
		}
		out = append(out, obj)
	}
	return out
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func only[T any](t *testing.T, objs []any) *T {
	t.Helper()
	var found []*T
	for _, o := range objs {
		if v, ok := o.(*T); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects of type %T, want 1", len(found), new(T))
	}
	return found[0]
}

// checkPodSecurity: non-root, no privilege escalation, no capabilities,
// a read-only root with /tmp writable, and memory requested and limited.
func checkPodSecurity(t *testing.T, name string, spec corev1.PodSpec) {
	t.Helper()
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 {
		t.Errorf("%s: pod must run as a non-root user: %+v", name, psc)
	}
	if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: seccomp profile is not RuntimeDefault", name)
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			t.Errorf("%s/%s: container may escalate or keeps capabilities", name, c.Name)
		}
		if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
			t.Errorf("%s/%s: no memory request", name, c.Name)
		}
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			t.Errorf("%s/%s: no memory limit", name, c.Name)
		}
		if sc != nil && sc.ReadOnlyRootFilesystem != nil && *sc.ReadOnlyRootFilesystem && c.Name != "devtools-proxy" && c.Name != "merge" {
			if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" }) {
				t.Errorf("%s/%s: read-only root without a writable /tmp for Chromium", name, c.Name)
			}
		}
	}
}

func flagValue(args []string, name string) (string, bool) {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, name+"="); ok {
			return v, true
		}
		if a == name {
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				return args[i+1], true
			}
			return "", true
		}
	}
	return "", false
}

func TestAuditJob(t *testing.T) {
	objs := objects(t, filepath.Join("kubernetes", "audit-job.yaml"))
	job := only[batchv1.Job](t, objs)
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		t.Fatal("the Job is not Indexed: pods would get no JOB_COMPLETION_INDEX")
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Parallelism > *s.Completions {
		t.Fatalf("completions %v, parallelism %v", s.Completions, s.Parallelism)
	}
	if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 {
		t.Error("no backoffLimitPerIndex: a restarted shard would not resume")
	}
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Error("backoffLimitPerIndex and podFailurePolicy need restartPolicy Never")
	}
	if p := s.PodFailurePolicy; p == nil || !slices.ContainsFunc(p.Rules, func(r batchv1.PodFailurePolicyRule) bool {
		return r.Action == batchv1.PodFailurePolicyActionFailIndex && r.OnExitCodes != nil && slices.Contains(r.OnExitCodes.Values, 2)
	}) {
		t.Error("a usage error (exit 2) should fail its index at once")
	}
	checkPodSecurity(t, "audit", s.Template.Spec)

	c := s.Template.Spec.Containers[0]
	if c.Image == "" || !strings.Contains(c.Image, "trackscan") {
		t.Errorf("image %q is not trackscan's", c.Image)
	}
	if len(c.Args) == 0 || c.Args[0] != "scan" {
		t.Fatalf("args %v do not run scan", c.Args)
	}
	for _, want := range []struct{ flag, value string }{{"--shard", "auto"}, {"--resume", ""}} {
		if v, ok := flagValue(c.Args, want.flag); !ok || v != want.value {
			t.Errorf("args %v lack %s %s", c.Args, want.flag, want.value)
		}
	}
	shards := ""
	for _, e := range c.Env {
		if e.Name == "TRACKSCAN_SHARDS" {
			shards = e.Value
		}
	}
	if n, err := strconv.Atoi(shards); err != nil || int32(n) != *s.Completions {
		t.Errorf("TRACKSCAN_SHARDS %q differs from completions %d: shards would overlap or be missed", shards, *s.Completions)
	}
	// Results and targets on volumes; the results volume is the claim.
	mounts := map[string]string{}
	for _, m := range c.VolumeMounts {
		mounts[m.MountPath] = m.Name
	}
	jsonl, _ := flagValue(c.Args, "--jsonl")
	targets, _ := flagValue(c.Args, "--targets")
	if !strings.HasSuffix(jsonl, "/") || mounts[strings.TrimSuffix(jsonl, "/")] == "" {
		t.Errorf("--jsonl %q is not a directory on a mounted volume (%v)", jsonl, mounts)
	}
	if mounts[filepath.Dir(targets)] == "" {
		t.Errorf("--targets %q is not on a mounted volume", targets)
	}
	vols := map[string]corev1.Volume{}
	for _, v := range s.Template.Spec.Volumes {
		vols[v.Name] = v
	}
	results := vols[mounts[strings.TrimSuffix(jsonl, "/")]]
	if results.PersistentVolumeClaim == nil {
		t.Fatalf("results volume %q is not a persistent claim", results.Name)
	}
	pvc := only[corev1.PersistentVolumeClaim](t, objs)
	if pvc.Name != results.PersistentVolumeClaim.ClaimName || !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("claim %s (%v) is not the ReadWriteMany volume the pods mount", pvc.Name, pvc.Spec.AccessModes)
	}
	if cm := only[corev1.ConfigMap](t, objs); cm.Data[filepath.Base(targets)] == "" {
		t.Errorf("the ConfigMap has no %s", filepath.Base(targets))
	}
	if shm := vols[mounts["/dev/shm"]]; shm.EmptyDir == nil || shm.EmptyDir.Medium != corev1.StorageMediumMemory {
		t.Error("no memory-backed /dev/shm: Chromium's renderers crash on the 64 MiB default")
	}
	// Sized from the benchmark (BENCHMARKS.md): a process with
	// --concurrency 1 peaked near 1.2 GiB, trackscan and Chromium together.
	req := c.Resources.Requests[corev1.ResourceMemory]
	if req.Cmp(resource.MustParse("1Gi")) < 0 {
		t.Errorf("memory request %s is below what one process was measured to use", req.String())
	}
	lim := c.Resources.Limits[corev1.ResourceMemory]
	mem, _ := flagValue(c.Args, "--browser-memory")
	if mib, err := strconv.Atoi(mem); err != nil || int64(mib)<<20 >= lim.Value() {
		t.Errorf("--browser-memory %q MiB must restart Chromium below the %s limit", mem, lim.String())
	}
}

func TestMergeJob(t *testing.T) {
	job := only[batchv1.Job](t, objects(t, filepath.Join("kubernetes", "merge-job.yaml")))
	checkPodSecurity(t, "merge", job.Spec.Template.Spec)
	script := strings.Join(job.Spec.Template.Spec.Containers[0].Args, " ")
	if !strings.Contains(script, "trackscan merge /results/") {
		t.Errorf("merge job does not merge /results/: %q", script)
	}
	audit := only[batchv1.Job](t, objects(t, filepath.Join("kubernetes", "audit-job.yaml")))
	if job.Spec.Template.Spec.Volumes[0].PersistentVolumeClaim.ClaimName != audit.Spec.Template.Spec.Volumes[1].PersistentVolumeClaim.ClaimName {
		t.Error("the merge job reads another claim than the audit writes")
	}
}

func TestBrowserPool(t *testing.T) {
	objs := objects(t, filepath.Join("kubernetes", "browser-pool.yaml"))
	dep := only[appsv1.Deployment](t, objs)
	svc := only[corev1.Service](t, objs)
	np := only[networkingv1.NetworkPolicy](t, objs)
	checkPodSecurity(t, "browser", dep.Spec.Template.Spec)
	labels := dep.Spec.Template.Labels
	for k, v := range svc.Spec.Selector {
		if labels[k] != v {
			t.Errorf("the Service selects %s=%s, the pods have %v", k, v, labels)
		}
	}
	if svc.Spec.SessionAffinity != corev1.ServiceAffinityClientIP {
		t.Error("without ClientIP affinity, /json/version and the websocket may reach two different Chromes")
	}
	port := svc.Spec.Ports[0]
	exposed := false
	for _, c := range dep.Spec.Template.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == port.TargetPort.String() || p.ContainerPort == port.TargetPort.IntVal {
				exposed = true
			}
		}
	}
	if !exposed {
		t.Errorf("the Service's target port %s is no container's port", port.TargetPort.String())
	}
	if np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != labels["app.kubernetes.io/name"] || len(np.Spec.Ingress) == 0 {
		t.Error("the DevTools port is open to every pod: no NetworkPolicy on the browsers")
	}
}

// workflow is the part of a GitHub Actions workflow the test reads.
type workflow struct {
	Env  map[string]string `json:"env"`
	Jobs map[string]struct {
		Needs    any `json:"needs"`
		If       string
		Strategy struct {
			FailFast *bool `json:"fail-fast"`
			Matrix   struct {
				Shard []int `json:"shard"`
			} `json:"matrix"`
		} `json:"strategy"`
		Steps []struct {
			Name string            `json:"name"`
			Uses string            `json:"uses"`
			Run  string            `json:"run"`
			With map[string]string `json:"with"`
		} `json:"steps"`
	} `json:"jobs"`
}

func TestWorkflowMatrix(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("github-actions", "audit.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var w workflow
	if err := yaml.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(w.Env["SHARDS"])
	if err != nil {
		t.Fatalf("SHARDS %q", w.Env["SHARDS"])
	}
	scan, merge := w.Jobs["scan"], w.Jobs["merge"]
	var want []int
	for i := range n {
		want = append(want, i)
	}
	if !slices.Equal(scan.Strategy.Matrix.Shard, want) {
		t.Errorf("matrix shards %v, want %v for SHARDS=%d", scan.Strategy.Matrix.Shard, want, n)
	}
	if scan.Strategy.FailFast == nil || *scan.Strategy.FailFast {
		t.Error("fail-fast would cancel the other shards when one fails")
	}
	var scanRun, upload, mergeRun, download string
	for _, s := range scan.Steps {
		if strings.Contains(s.Run, "trackscan scan") {
			scanRun = s.Run
		}
		if strings.HasPrefix(s.Uses, "actions/upload-artifact") {
			upload = s.With["name"]
		}
	}
	for _, s := range merge.Steps {
		if strings.Contains(s.Run, "trackscan merge") {
			mergeRun = s.Run
		}
		if strings.HasPrefix(s.Uses, "actions/download-artifact") {
			download = s.With["pattern"]
		}
	}
	if !strings.Contains(scanRun, `--shard "${{ matrix.shard }}/$SHARDS"`) || !strings.Contains(scanRun, "--jsonl out/") {
		t.Errorf("scan step does not scan its shard into out/: %q", scanRun)
	}
	if upload == "" || download == "" || !matchGlob(download, strings.ReplaceAll(upload, "${{ matrix.shard }}", "0")) {
		t.Errorf("merge downloads %q but the shards upload %q", download, upload)
	}
	if fmt.Sprint(merge.Needs) != "scan" || !strings.Contains(merge.If, "always()") {
		t.Errorf("merge job: needs %v, if %q; want it after every shard, failed ones too", merge.Needs, merge.If)
	}
	if !strings.Contains(mergeRun, "trackscan merge out/") {
		t.Errorf("merge step: %q", mergeRun)
	}
	if bytes.Contains(raw, []byte("\t")) {
		t.Error("tabs in YAML")
	}
}

func matchGlob(pattern, name string) bool {
	ok, _ := filepath.Match(pattern, name)
	return ok
}
