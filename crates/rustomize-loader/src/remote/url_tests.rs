//! kustomize's own parsing cases (api/internal/git/repospec_test.go at
//! v5.5.0), as tables, plus rustomize's refusals.

use super::*;

#[test]
fn permutations_of_host_repo_path_and_ref() {
    // (as written, as normalised)
    let hosts = [
        ("gitHub.com/", "https://github.com/"),
        ("github.com:", "https://github.com/"),
        ("http://github.com/", "https://github.com/"),
        ("https://github.com/", "https://github.com/"),
        ("hTTps://github.com/", "https://github.com/"),
        (
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "https://git-codecommit.us-east-2.amazonaws.com/",
        ),
        (
            "https://fabrikops2.visualstudio.com/",
            "https://fabrikops2.visualstudio.com/",
        ),
        ("ssh://git.example.com:7999/", "ssh://git.example.com:7999/"),
        ("git::https://gitlab.com/", "https://gitlab.com/"),
        ("git::http://git.example.com/", "http://git.example.com/"),
        ("git::https://git.example.com/", "https://git.example.com/"),
        ("git@github.com:", "git@github.com:"),
        ("git@github.com/", "git@github.com:"),
        ("git::git@github.com:", "git@github.com:"),
        ("org-12345@github.com:", "org-12345@github.com:"),
        ("org-12345@github.com/", "org-12345@github.com:"),
    ];
    let repos = ["someOrg/someRepo", "kubernetes/website"];
    let paths = ["README.md", "foo/krusty.txt", ""];
    let refs = ["group/version", "someBranch", "master", "v0.1.0", ""];
    for (raw_host, host) in hosts {
        for repo in repos {
            for path in paths {
                for r in refs {
                    let mut url = format!("{raw_host}{repo}");
                    if !path.is_empty() {
                        url = format!("{url}/{path}");
                    }
                    if !r.is_empty() {
                        url = format!("{url}?ref={r}");
                    }
                    let spec = RepoSpec::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
                    assert_eq!(spec.host, host, "host of {url}");
                    assert_eq!(spec.repo_path, repo, "repo path of {url}");
                    assert_eq!(spec.path, path, "path of {url}");
                    assert_eq!(spec.git_ref, r, "ref of {url}");
                }
            }
        }
    }
}

#[test]
fn kustomize_refuses_these_as_remote() {
    let cases = [
        ("/tmp", "uri looks like abs path"),
        ("../../tmp", "failed to parse scheme"),
        ("src/github.com/org/repo/path", "failed to parse scheme"),
        ("iauhsdiuashduas", "failed to parse scheme"),
        ("htxxxtp://github.com/", "failed to parse scheme"),
        ("ssh://git.example.com", "failed to parse repo path segment"),
        ("git::___", "failed to parse scheme"),
        (
            "https://host?ref=group/version/minor_version",
            "failed to parse repo path segment",
        ),
        (
            "https://github.com/org/repo.git//path/../../exits/repo",
            "url path exits repo",
        ),
        ("github.com!org/repo.git//path", "failed to parse scheme"),
        ("gh:org/repo", "failed to parse scheme"),
        (
            "https://github.com/thisisa404.yaml",
            "failed to parse repo path segment",
        ),
        (
            "file:////tmp//path/to/whatever",
            "failed to parse repo path segment",
        ),
        (
            "git@scp://github.com/org/repo.git//path",
            "failed to parse repo path segment",
        ),
        (
            "git@ssh://github.com/org/repo.git//path",
            "failed to parse repo path segment",
        ),
        // Not in kustomize's table, but what its rules give.
        ("gitlab.com/org/repo", "failed to parse scheme"),
        ("https://", "failed to parse host segment"),
    ];
    for (url, want) in cases {
        let err = RepoSpec::parse(url).expect_err(url);
        assert!(err.reason.contains(want), "{url}: got {err}, want {want}");
    }
}

#[test]
fn kustomize_smoke_cases() {
    // (name, input, clone URL, host, repo path, path, ref)
    let cases = [
        (
            "https aws code commit url",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somedir",
            "",
        ),
        (
            "https aws code commit url with params",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somedir?ref=testbranch",
            "https://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
            "https://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somedir",
            "testbranch",
        ),
        (
            "legacy azure https url with params",
            "https://fabrikops2.visualstudio.com/someorg/somerepo?ref=master",
            "https://fabrikops2.visualstudio.com/someorg/somerepo",
            "https://fabrikops2.visualstudio.com/",
            "someorg/somerepo",
            "",
            "master",
        ),
        (
            "http github url without git suffix",
            "http://github.com/someorg/somerepo/somedir",
            "https://github.com/someorg/somerepo",
            "https://github.com/",
            "someorg/somerepo",
            "somedir",
            "",
        ),
        (
            "scp github url without git suffix",
            "git@github.com:someorg/somerepo/somedir",
            "git@github.com:someorg/somerepo",
            "git@github.com:",
            "someorg/somerepo",
            "somedir",
            "",
        ),
        (
            "http github url with git suffix",
            "http://github.com/someorg/somerepo.git/somedir",
            "https://github.com/someorg/somerepo.git",
            "https://github.com/",
            "someorg/somerepo.git",
            "somedir",
            "",
        ),
        (
            "scp github url with git suffix",
            "git@github.com:someorg/somerepo.git/somedir",
            "git@github.com:someorg/somerepo.git",
            "git@github.com:",
            "someorg/somerepo.git",
            "somedir",
            "",
        ),
        (
            "non-github_scp",
            "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git?ref=v0.1.0",
            "git@gitlab2.sqtools.ru:infra/kubernetes/thanos-base.git",
            "git@gitlab2.sqtools.ru:",
            "infra/kubernetes/thanos-base.git",
            "",
            "v0.1.0",
        ),
        (
            "non-github_scp with path delimiter",
            "git@bitbucket.org:company/project.git//path?ref=branch",
            "git@bitbucket.org:company/project.git",
            "git@bitbucket.org:",
            "company/project.git",
            "path",
            "branch",
        ),
        (
            "non-github_scp incorrectly using slash (invalid but currently passed through to git)",
            "git@bitbucket.org/company/project.git//path?ref=branch",
            "git@bitbucket.org/company/project.git",
            "git@bitbucket.org/",
            "company/project.git",
            "path",
            "branch",
        ),
        (
            "non-github_git-user_ssh",
            "ssh://git@bitbucket.org/company/project.git//path?ref=branch",
            "ssh://git@bitbucket.org/company/project.git",
            "ssh://git@bitbucket.org/",
            "company/project.git",
            "path",
            "branch",
        ),
        (
            "_git host delimiter in non-github url",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "",
        ),
        (
            "_git host delimiter in non-github url with params",
            "https://itfs.mycompany.com/collection/project/_git/somerepos?version=v1.0.0",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "v1.0.0",
        ),
        (
            "_git host delimiter in non-github url with kust root path and params",
            "https://itfs.mycompany.com/collection/project/_git/somerepos/somedir?version=v1.0.0",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "somedir",
            "v1.0.0",
        ),
        (
            "_git host delimiter in non-github url with no kust root path",
            "git::https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/collection/project/_git/somerepos",
            "https://itfs.mycompany.com/",
            "collection/project/_git/somerepos",
            "",
            "",
        ),
        (
            "https bitbucket url with git suffix",
            "https://bitbucket.example.com/scm/project/repository.git",
            "https://bitbucket.example.com/scm/project/repository.git",
            "https://bitbucket.example.com/",
            "scm/project/repository.git",
            "",
            "",
        ),
        (
            "ssh aws code commit url",
            "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo/somepath",
            "ssh://git-codecommit.us-east-2.amazonaws.com/someorg/somerepo",
            "ssh://git-codecommit.us-east-2.amazonaws.com/",
            "someorg/somerepo",
            "somepath",
            "",
        ),
        (
            "scp Github with slash fixed to colon",
            "git@github.com/someorg/somerepo/somepath",
            "git@github.com:someorg/somerepo",
            "git@github.com:",
            "someorg/somerepo",
            "somepath",
            "",
        ),
        (
            "https Github with double slash path delimiter and params",
            "https://github.com/kubernetes-sigs/kustomize//examples/multibases/dev/?ref=v1.0.6",
            "https://github.com/kubernetes-sigs/kustomize",
            "https://github.com/",
            "kubernetes-sigs/kustomize",
            "examples/multibases/dev/",
            "v1.0.6",
        ),
        (
            "file protocol with git-suffixed repo path and params",
            "file://a/b/c/someRepo.git/somepath?ref=someBranch",
            "file://a/b/c/someRepo.git",
            "file://",
            "a/b/c/someRepo.git",
            "somepath",
            "someBranch",
        ),
        (
            "file protocol with two slashes, with kust root path and params",
            "file://a/b/c/someRepo//somepath?ref=someBranch",
            "file://a/b/c/someRepo",
            "file://",
            "a/b/c/someRepo",
            "somepath",
            "someBranch",
        ),
        (
            "file protocol with two slashes, with ref and no kust root path",
            "file://a/b/c/someRepo?ref=someBranch",
            "file://a/b/c/someRepo",
            "file://",
            "a/b/c/someRepo",
            "",
            "someBranch",
        ),
        (
            "file protocol with three slashes, with ref and no kust root path",
            "file:///a/b/c/someRepo?ref=someBranch",
            "file:///a/b/c/someRepo",
            "file://",
            "/a/b/c/someRepo",
            "",
            "someBranch",
        ),
        (
            "ssh Github with double-slashed path delimiter and params",
            "ssh://git@github.com/kubernetes-sigs/kustomize//examples/multibases/dev?ref=v1.0.6",
            "git@github.com:kubernetes-sigs/kustomize",
            "git@github.com:",
            "kubernetes-sigs/kustomize",
            "examples/multibases/dev",
            "v1.0.6",
        ),
        (
            "file protocol with three slashes, no kust root path or params",
            "file:///a/b/c/someRepo",
            "file:///a/b/c/someRepo",
            "file://",
            "/a/b/c/someRepo",
            "",
            "",
        ),
        (
            "file protocol with three slashes, no repo or kust root path or params",
            "file:///",
            "file:///",
            "file://",
            "/",
            "",
            "",
        ),
        (
            "arbitrary https host with double-slash path delimiter",
            "https://example.org/path/to/repo//examples/multibases/dev",
            "https://example.org/path/to/repo",
            "https://example.org/",
            "path/to/repo",
            "examples/multibases/dev",
            "",
        ),
        (
            "arbitrary https host with .git repo suffix",
            "https://example.org/path/to/repo.git/examples/multibases/dev",
            "https://example.org/path/to/repo.git",
            "https://example.org/",
            "path/to/repo.git",
            "examples/multibases/dev",
            "",
        ),
        (
            "arbitrary ssh host with double-slash path delimiter",
            "ssh://alice@example.com/path/to/repo//examples/multibases/dev",
            "ssh://alice@example.com/path/to/repo",
            "ssh://alice@example.com/",
            "path/to/repo",
            "examples/multibases/dev",
            "",
        ),
        (
            "query_slash",
            "https://authority/org/repo?ref=group/version",
            "https://authority/org/repo",
            "https://authority/",
            "org/repo",
            "",
            "group/version",
        ),
        (
            "query_git_delimiter",
            "https://authority/org/repo/?ref=includes_git/for_some_reason",
            "https://authority/org/repo",
            "https://authority/",
            "org/repo",
            "",
            "includes_git/for_some_reason",
        ),
        (
            "query_git_suffix",
            "https://authority/org/repo/?ref=includes.git/for_some_reason",
            "https://authority/org/repo",
            "https://authority/",
            "org/repo",
            "",
            "includes.git/for_some_reason",
        ),
        (
            "non_parsable_path",
            "https://authority/org/repo/%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "https://authority/org/repo",
            "https://authority/",
            "org/repo",
            "%-invalid-uri-so-not-parsable-by-net/url.Parse",
            "",
        ),
        (
            "non-git username with non-github host",
            "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git//path?ref=branch",
            "ssh://myusername@bitbucket.org/ourteamname/ourrepositoryname.git",
            "ssh://myusername@bitbucket.org/",
            "ourteamname/ourrepositoryname.git",
            "path",
            "branch",
        ),
        (
            "username-like filepath with file protocol",
            "file://git@home/path/to/repository.git//path?ref=branch",
            "file://git@home/path/to/repository.git",
            "file://",
            "git@home/path/to/repository.git",
            "path",
            "branch",
        ),
        (
            "username with http protocol (invalid but currently passed through to git)",
            "http://git@home.com/path/to/repository.git//path?ref=branch",
            "http://git@home.com/path/to/repository.git",
            "http://git@home.com/",
            "path/to/repository.git",
            "path",
            "branch",
        ),
        (
            "username with https protocol (invalid but currently passed through to git)",
            "https://git@home.com/path/to/repository.git//path?ref=branch",
            "https://git@home.com/path/to/repository.git",
            "https://git@home.com/",
            "path/to/repository.git",
            "path",
            "branch",
        ),
        (
            "complex github ssh url from docs",
            "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
            "ssh://git@ssh.github.com:443/YOUR-USERNAME/YOUR-REPOSITORY.git",
            "ssh://git@ssh.github.com:443/",
            "YOUR-USERNAME/YOUR-REPOSITORY.git",
            "",
            "",
        ),
        (
            "colon behind slash not scp delimiter",
            "git@gitlab.com/user:name/YOUR-REPOSITORY.git/path",
            "git@gitlab.com/user:name/YOUR-REPOSITORY.git",
            "git@gitlab.com/",
            "user:name/YOUR-REPOSITORY.git",
            "path",
            "",
        ),
        (
            "gitlab URLs with explicit git suffix",
            "git@gitlab.com:gitlab-tests/sample-project.git",
            "git@gitlab.com:gitlab-tests/sample-project.git",
            "git@gitlab.com:",
            "gitlab-tests/sample-project.git",
            "",
            "",
        ),
        (
            "gitlab URLs without explicit git suffix",
            "git@gitlab.com:gitlab-tests/sample-project",
            "git@gitlab.com:gitlab-tests/sample-project",
            "git@gitlab.com:",
            "gitlab-tests/sample-project",
            "",
            "",
        ),
        (
            "azure host with _git and // path separator",
            "https://username@dev.azure.com/org/project/_git/repo//path/to/kustomization/root",
            "https://username@dev.azure.com/org/project/_git/repo",
            "https://username@dev.azure.com/",
            "org/project/_git/repo",
            "path/to/kustomization/root",
            "",
        ),
        (
            "legacy format azure host with _git",
            "https://org.visualstudio.com/project/_git/repo/path/to/kustomization/root",
            "https://org.visualstudio.com/project/_git/repo",
            "https://org.visualstudio.com/",
            "project/_git/repo",
            "path/to/kustomization/root",
            "",
        ),
        (
            "ssh on github with custom username for custom ssh certificate authority",
            "ssh://org-12345@github.com/kubernetes-sigs/kustomize",
            "org-12345@github.com:kubernetes-sigs/kustomize",
            "org-12345@github.com:",
            "kubernetes-sigs/kustomize",
            "",
            "",
        ),
        (
            "scp on github with custom username for custom ssh certificate authority",
            "org-12345@github.com/kubernetes-sigs/kustomize",
            "org-12345@github.com:kubernetes-sigs/kustomize",
            "org-12345@github.com:",
            "kubernetes-sigs/kustomize",
            "",
            "",
        ),
        (
            "scp format gist url",
            "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
            "git@gist.github.com:bc7947cb727d7f9217e7862d961a1ffd.git",
            "git@gist.github.com:",
            "bc7947cb727d7f9217e7862d961a1ffd.git",
            "",
            "",
        ),
        (
            "https gist url",
            "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
            "https://gist.github.com/bc7947cb727d7f9217e7862d961a1ffd.git",
            "https://gist.github.com/",
            "bc7947cb727d7f9217e7862d961a1ffd.git",
            "",
            "",
        ),
    ];
    for (name, input, clone, host, repo, path, r) in cases {
        let spec = RepoSpec::parse(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(spec.clone_url(), clone, "{name}: clone URL");
        assert_eq!(spec.host, host, "{name}: host");
        assert_eq!(spec.repo_path, repo, "{name}: repo path");
        assert_eq!(spec.path, path, "{name}: path");
        assert_eq!(spec.git_ref, r, "{name}: ref");
        assert!(spec.submodules, "{name}: submodules default");
        assert_eq!(spec.url_timeout, None, "{name}: timeout default");
        assert_eq!(spec.timeout(DEFAULT_TIMEOUT), DEFAULT_TIMEOUT);
    }
}

#[test]
fn query_parameters() {
    let d = None;
    let s61 = Some(Duration::from_secs(61));
    // (query, ref, submodules, timeout)
    let cases = [
        ("", "", true, d),
        ("ref=v1.0.0", "v1.0.0", true, d),
        ("ref=kustomize/v4.5.7", "kustomize/v4.5.7", true, d),
        ("version=master", "master", true, d),
        ("version=master&ref=v1.0.0", "v1.0.0", true, d),
        ("version=master&submodules=", "master", true, d),
        ("version=master&submodules=maybe", "master", true, d),
        ("version=master&submodules=true", "master", true, d),
        ("version=master&submodules=false", "master", false, d),
        ("version=master&timeout=", "master", true, d),
        ("version=master&timeout=jiffy", "master", true, d),
        ("version=master&timeout=0", "master", true, d),
        ("version=master&timeout=0s", "master", true, d),
        ("version=master&timeout=61", "master", true, s61),
        ("version=master&timeout=1m1s", "master", true, s61),
        (
            "version=master&submodules=false&timeout=1m1s",
            "master",
            false,
            s61,
        ),
        // Go's url.ParseQuery: escapes are decoded, ';' or a bad escape
        // make the whole query fall back to defaults.
        ("ref=a%2Fb", "a/b", true, d),
        ("ref=v1;timeout=5", "", true, d),
        ("ref=v1&timeout=5&x=%zz", "", true, d),
        ("timeout=1.5s", "", true, Some(Duration::from_millis(1500))),
        ("timeout=-3", "", true, d),
        ("submodules=0", "", false, d),
    ];
    for (query, r, submodules, timeout) in cases {
        let q = parse_query(query);
        assert_eq!(q.git_ref, r, "ref of {query}");
        assert_eq!(q.submodules, submodules, "submodules of {query}");
        assert_eq!(q.timeout, timeout, "timeout of {query}");
    }
}

#[test]
fn timeout_applies_per_url() {
    let spec = RepoSpec::parse("github.com/org/repo?timeout=2").unwrap();
    assert_eq!(spec.timeout(DEFAULT_TIMEOUT), Duration::from_secs(2));
    let spec = RepoSpec::parse("github.com/org/repo").unwrap();
    assert_eq!(spec.timeout(Duration::from_secs(5)), Duration::from_secs(5));
}

#[test]
fn refused_by_rustomize() {
    let cases = [
        (
            "github.com/org/repo?ref=--upload-pack=touch%20x",
            "starts with '-'",
        ),
        ("github.com/org/repo?ref=-x", "starts with '-'"),
        ("git@-oProxyCommand=x:org/repo", "starts with '-'"),
        ("ssh://-oProxyCommand=x/org/repo", "starts with '-'"),
        ("ssh://git@-oProxyCommand=x/org/repo", "starts with '-'"),
        ("file://-x/repo", "starts with '-'"),
        ("github.com/org/repo?ref=main~1", "not allowed in a git ref"),
        ("github.com/org/repo?ref=a*", "not allowed in a git ref"),
        ("github.com/org/repo?ref=a%20b", "not allowed in a git ref"),
        ("github.com/org/repo?ref=a..b", "not a valid git ref"),
        ("github.com/org/repo?ref=a%0Ab", "not allowed in a git ref"),
        ("github.com/org/re\npo", "control characters"),
    ];
    for (url, want) in cases {
        let spec = RepoSpec::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        let err = spec.validate().expect_err(url);
        assert!(err.reason.contains(want), "{url}: got {err}, want {want}");
    }
    for ok in [
        "github.com/org/repo?ref=v1.2.3",
        "github.com/org/repo?ref=release/1.x",
        "https://github.com/org/repo.git//path?ref=0123456789abcdef0123456789abcdef01234567",
        "git@github.com:org/repo.git//path",
        "file:///tmp/x/app.git",
    ] {
        RepoSpec::parse(ok).unwrap().validate().unwrap();
    }
}

#[test]
fn what_counts_as_remote() {
    let remote = [
        "github.com/org/repo",
        "https://github.com/org/repo.git//path?ref=X",
        "https://example.com/manifest.yaml",
        "git::https://example.com/org/repo",
        "ext::sh -c touch% /tmp/pwned",
        "git::ext::sh",
        "git://example.com/org/repo",
        "fd::17",
        "file:///tmp/repo",
        "git@gitlab.com:org/repo",
    ];
    for r in remote {
        assert!(is_remote(r), "{r} is remote");
    }
    let local = [
        "base",
        "../base",
        "deployment.yaml",
        "/abs/path",
        "gitlab.com/org/repo",
        "c:foo",
    ];
    for l in local {
        assert!(!is_remote(l), "{l} is local");
    }
}

#[test]
fn which_urls_are_probed_as_files() {
    let probed = [
        "https://raw.githubusercontent.com/org/repo/main/deploy.yaml",
        "https://example.com/manifest.yaml",
        "http://example.com/a",
        "https://github.com/org/repo/deploy",
        "HTTPS://example.com/x/y/z.yaml",
    ];
    for p in probed {
        assert!(probe_as_file(p), "{p} is probed");
        assert!(is_remote_file(p), "{p} is a remote file for kustomize");
    }
    let repos = [
        "https://github.com/org/repo//deploy",
        "https://github.com/org/repo/deploy?ref=v1",
        "https://github.com/org/repo?version=main",
        "https://github.com/org/repo.git/deploy",
        "https://dev.azure.com/org/project/_git/repo/deploy",
        "github.com/org/repo/deploy.yaml",
        "git@github.com:org/repo",
        "file:///tmp/repo",
    ];
    for r in repos {
        assert!(!probe_as_file(r), "{r} goes straight to git");
    }
}
