// Command flux-oracle prints what Flux's kustomize-controller would apply for
// a Flux Kustomization object, by calling fluxcd/pkg/kustomize exactly as the
// controller does (reconcile: securejoin of spec.path, the generator writing
// kustomization.yaml, SecureBuild, SubstituteVariables per resource, AsYaml,
// then ReadObjects, the owner labels and commonMetadata), and printing the
// objects as `flux build kustomization` does (ssautil.ObjectsToYAML).
//
// It is rustomize's test oracle for `rustomize build --flux`; it is our own
// code calling the Flux libraries, nothing in it is copied from Flux. It
// builds with the kustomize Flux itself pins (fluxcd/pkg/kustomize v1.41.0:
// kustomize v5.8.1). To tell Flux-layer differences from kustomize-version
// ones, build it against rustomize's kustomize v5.5.0 instead:
//
//	go mod edit -replace sigs.k8s.io/kustomize/api=sigs.k8s.io/kustomize/api@v0.18.0 \
//	  -replace sigs.k8s.io/kustomize/kyaml=sigs.k8s.io/kustomize/kyaml@v0.18.1 && go mod tidy
//
// The root is first copied as source-controller would archive it (see
// copyTree), since kustomize-controller builds from that artifact.
//
// The cluster is replaced by a client holding the ConfigMaps and Secrets
// read from the --substitute-from files (a manifest without a namespace is
// taken to be in the Kustomization's namespace; a Secret's stringData is
// merged into data, as the API server does). --var NAME=VALUE adds an entry
// to spec.postBuild.substitute (creating spec.postBuild).
//
// Usage:
//
//	flux-oracle [-root DIR] [-name NAME] [-substitute-from FILE]... [-var K=V]... [-strict=true] FILE
//	flux-oracle -batch < cases.json > results.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	kustomizev1beta2 "github.com/fluxcd/kustomize-controller/api/v1beta2"
	generator "github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// defaultNamespace is the namespace of a Kustomization whose file names
// none: the flux CLI's default.
const defaultNamespace = "flux-system"

// ownerGroup is the group of the owner labels the controller sets.
const ownerGroup = "kustomize.toolkit.fluxcd.io"

// Case is one run: the repository root, the Kustomization file, and the
// stand-ins for the cluster.
type Case struct {
	Root           string            `json:"root"`
	Kustomization  string            `json:"kustomization"`
	Name           string            `json:"name,omitempty"`
	SubstituteFrom []string          `json:"substituteFrom,omitempty"`
	Vars           map[string]string `json:"vars,omitempty"`
	Strict         bool              `json:"strict"`
}

// Result is what a run printed, or why it failed.
type Result struct {
	Output string `json:"output"`
	Error  string `json:"error,omitempty"`
}

type varFlags map[string]string

func (v varFlags) String() string { return "" }
func (v varFlags) Set(s string) error {
	k, val, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("--var %q: expected NAME=VALUE", s)
	}
	v[k] = val
	return nil
}

type listFlags []string

func (l *listFlags) String() string     { return strings.Join(*l, ",") }
func (l *listFlags) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	batch := flag.Bool("batch", false, "read a JSON array of cases on stdin, write a JSON array of results")
	root := flag.String("root", "", "repository root (default: the file's directory)")
	name := flag.String("name", "", "the Kustomization's name when the file holds several")
	strict := flag.Bool("strict", true, "strict substitution (the controller's StrictPostBuildSubstitutions)")
	var from listFlags
	vars := varFlags{}
	flag.Var(&from, "substitute-from", "ConfigMap/Secret manifests standing in for the cluster")
	flag.Var(vars, "var", "NAME=VALUE added to spec.postBuild.substitute")
	flag.Parse()

	if *batch {
		var cases []Case
		if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
			fmt.Fprintln(os.Stderr, "reading cases:", err)
			os.Exit(2)
		}
		results := make([]Result, len(cases))
		for i, c := range cases {
			out, err := run(c)
			results[i] = Result{Output: out}
			if err != nil {
				results[i].Error = err.Error()
			}
		}
		enc := json.NewEncoder(os.Stdout)
		if err := enc.Encode(results); err != nil {
			os.Exit(2)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: flux-oracle [flags] KUSTOMIZATION_FILE")
		os.Exit(2)
	}
	c := Case{Kustomization: flag.Arg(0), Root: *root, Name: *name, SubstituteFrom: from, Vars: vars, Strict: *strict}
	if c.Root == "" {
		c.Root = filepath.Dir(c.Kustomization)
	}
	out, err := run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	fmt.Print(out)
}

// run reproduces KustomizationReconciler.reconcile up to the objects it
// applies, in a copy of the root (the controller works in the extracted
// artifact, and the generator writes into it).
func run(c Case) (string, error) {
	obj, always, err := readKustomization(c)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp("", "flux-oracle-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	tmp, err = filepath.EvalSymlinks(tmp)
	if err != nil {
		return "", err
	}
	if err := copyTree(c.Root, tmp); err != nil {
		return "", fmt.Errorf("copying the root: %w", err)
	}
	spec, _, _ := unstructured.NestedString(obj.Object, "spec", "path")
	dirPath, err := securejoin.SecureJoin(tmp, spec)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(dirPath); err != nil {
		return "", fmt.Errorf("kustomization path not found: %w", err)
	}
	if _, err := generator.NewGenerator(tmp, *obj).WriteFile(dirPath); err != nil {
		return "", err
	}
	m, err := generator.SecureBuild(tmp, dirPath, false)
	if err != nil {
		return "", fmt.Errorf("kustomize build failed: %w", err)
	}
	kubeClient, err := fakeCluster(c.SubstituteFrom, obj.GetNamespace())
	if err != nil {
		return "", err
	}
	_, hasPostBuild, _ := unstructured.NestedFieldNoCopy(obj.Object, "spec", "postBuild")
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return "", fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
		if hasPostBuild {
			outRes, err := generator.SubstituteVariables(context.Background(), kubeClient, *obj, res,
				generator.SubstituteWithStrict(c.Strict),
				generator.SubstituteWithAlways(always))
			if err != nil {
				return "", fmt.Errorf("post build failed for '%s/%s': %w", res.GetGvk(), res.GetName(), err)
			}
			if outRes != nil {
				if _, err := m.Replace(res); err != nil {
					return "", err
				}
			}
		}
	}
	resources, err := m.AsYaml()
	if err != nil {
		return "", fmt.Errorf("kustomize build failed: %w", err)
	}
	objects, err := ssautil.ReadObjects(bytes.NewReader(resources))
	if err != nil {
		return "", err
	}
	for _, o := range objects {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[ownerGroup+"/name"] = obj.GetName()
		labels[ownerGroup+"/namespace"] = obj.GetNamespace()
		o.SetLabels(labels)
	}
	// The controller: if cmeta := obj.Spec.CommonMetadata; cmeta != nil.
	labels, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "commonMetadata", "labels")
	annotations, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "commonMetadata", "annotations")
	if _, ok, _ := unstructured.NestedFieldNoCopy(obj.Object, "spec", "commonMetadata"); ok {
		ssautil.SetCommonMetadata(objects, labels, annotations)
	}
	return ssautil.ObjectsToYAML(objects)
}

// readKustomization decodes the Flux Kustomization from the file into the
// controller's typed API (v1, or v1beta2 as the controllers that served it
// did), adds the --var values, and returns it as the controller hands it to
// the generator: runtime.DefaultUnstructuredConverter.ToUnstructured.
func readKustomization(c Case) (*unstructured.Unstructured, bool, error) {
	data, err := os.ReadFile(c.Kustomization)
	if err != nil {
		return nil, false, err
	}
	dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var found []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, false, fmt.Errorf("%s: %w", c.Kustomization, err)
		}
		if u.Object == nil {
			continue
		}
		if strings.HasPrefix(u.GetAPIVersion(), ownerGroup+"/") && u.GetKind() == "Kustomization" &&
			(c.Name == "" || u.GetName() == c.Name) {
			found = append(found, u)
		}
	}
	if len(found) != 1 {
		return nil, false, fmt.Errorf("%s: %d Flux Kustomizations match", c.Kustomization, len(found))
	}
	u := found[0]
	var typed runtime.Object
	var always bool
	switch u.GetAPIVersion() {
	case kustomizev1.GroupVersion.String():
		k := &kustomizev1.Kustomization{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, k); err != nil {
			return nil, false, err
		}
		if k.Namespace == "" {
			k.Namespace = defaultNamespace
		}
		if len(c.Vars) > 0 {
			if k.Spec.PostBuild == nil {
				k.Spec.PostBuild = &kustomizev1.PostBuild{}
			}
			if k.Spec.PostBuild.Substitute == nil {
				k.Spec.PostBuild.Substitute = map[string]string{}
			}
			for n, v := range c.Vars {
				k.Spec.PostBuild.Substitute[n] = v
			}
		}
		always = k.GetSubstituteStrategy() == kustomizev1.SubstituteStrategyAlways
		typed = k
	case kustomizev1beta2.GroupVersion.String():
		k := &kustomizev1beta2.Kustomization{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, k); err != nil {
			return nil, false, err
		}
		if k.Namespace == "" {
			k.Namespace = defaultNamespace
		}
		if len(c.Vars) > 0 {
			if k.Spec.PostBuild == nil {
				k.Spec.PostBuild = &kustomizev1beta2.PostBuild{}
			}
			if k.Spec.PostBuild.Substitute == nil {
				k.Spec.PostBuild.Substitute = map[string]string{}
			}
			for n, v := range c.Vars {
				k.Spec.PostBuild.Substitute[n] = v
			}
		}
		typed = k
	default:
		return nil, false, fmt.Errorf("%s: unsupported apiVersion %q", c.Kustomization, u.GetAPIVersion())
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(typed)
	if err != nil {
		return nil, false, err
	}
	return &unstructured.Unstructured{Object: obj}, always, nil
}

// cluster stands in for the API server: Get answers ConfigMaps and Secrets
// from the manifests, NotFound for anything else. The embedded nil Client
// is never called (LoadVariables only gets objects); it spares the oracle
// controller-runtime's fake client and its dependencies.
type cluster struct {
	client.Client
	configMaps map[types.NamespacedName]*corev1.ConfigMap
	secrets    map[types.NamespacedName]*corev1.Secret
}

func (c *cluster) Get(_ context.Context, key client.ObjectKey, obj client.Object, _ ...client.GetOption) error {
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		if cm, ok := c.configMaps[key]; ok {
			cm.DeepCopyInto(o)
			return nil
		}
		return apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, key.Name)
	case *corev1.Secret:
		if s, ok := c.secrets[key]; ok {
			s.DeepCopyInto(o)
			return nil
		}
		return apierrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, key.Name)
	}
	return fmt.Errorf("the oracle's cluster holds no %T", obj)
}

// fakeCluster holds the ConfigMaps and Secrets of the given manifests.
func fakeCluster(files []string, namespace string) (client.Client, error) {
	c := &cluster{
		configMaps: map[types.NamespacedName]*corev1.ConfigMap{},
		secrets:    map[types.NamespacedName]*corev1.Secret{},
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := k8syaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			u := &unstructured.Unstructured{}
			if err := dec.Decode(&u.Object); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if u.Object == nil || u.GetAPIVersion() != "v1" {
				continue
			}
			if u.GetNamespace() == "" {
				u.SetNamespace(namespace)
			}
			key := types.NamespacedName{Namespace: u.GetNamespace(), Name: u.GetName()}
			switch u.GetKind() {
			case "ConfigMap":
				cm := &corev1.ConfigMap{}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, cm); err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				if _, dup := c.configMaps[key]; !dup {
					c.configMaps[key] = cm
				}
			case "Secret":
				s := &corev1.Secret{}
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, s); err != nil {
					return nil, fmt.Errorf("%s: %w", f, err)
				}
				for k, v := range s.StringData {
					if s.Data == nil {
						s.Data = map[string][]byte{}
					}
					s.Data[k] = []byte(v)
				}
				s.StringData = nil
				if _, dup := c.secrets[key]; !dup {
					c.secrets[key] = s
				}
			}
		}
	}
	return c, nil
}

// copyTree makes dst the artifact source-controller would make of src: the
// .sourceignore patterns of the tree (or, when it has none, the default
// exclusions) applied per path with the VCS patterns, only regular files
// and directories kept (links are left out), as
// fluxcd/pkg/artifact/storage's SourceIgnoreFilter and Archive do.
func copyTree(src, dst string) error {
	src, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	domain := strings.Split(src, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(src, domain)
	if err != nil {
		return err
	}
	matcher := sourceignore.NewDefaultMatcher(ps, domain)
	if len(ps) > 0 {
		matcher = sourceignore.NewMatcher(append(sourceignore.VCSPatterns(domain), ps...))
	}
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if m := info.Mode(); !(m.IsRegular() || m.IsDir()) {
			return nil
		}
		if matcher.Match(strings.Split(p, string(filepath.Separator)), info.IsDir()) {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
