package reply

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browser returns a headless Chromium to render the replies' HTML in, the
// engine of Chrome, Edge and Outlook's new client. Without one the test is
// skipped, except in CI (CI=true), where .ci/run installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium-headless-shell", "chromium", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no headless Chromium (apt-get install chromium-headless-shell)")
		}
		t.Skip("no headless Chromium here (apt-get install chromium-headless-shell)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		// A phone's width: most replies are read on one.
		chromedp.WindowSize(375, 800),
		// No name resolves: the test never reaches beyond this machine,
		// and a reply that asks for a remote resource shows in the log
		// of requests below.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	enable := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{})
		return err
	})
	if err := chromedp.Do(ctx, enable); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// rendered is what a reader sees of one reply's HTML.
type rendered struct {
	Text        string `json:"text"`
	Lang        string `json:"lang"`
	ScrollWidth int    `json:"scrollWidth"`
	Width       int    `json:"width"`
	Links       []struct {
		Href string `json:"href"`
		Text string `json:"text"`
	} `json:"links"`
	MinFont float64 `json:"minFont"`
}

const readPage = `(() => {
  // A numbered list's numbers are seen, though not in innerText.
  for (const ol of document.querySelectorAll('ol')) {
    [...ol.children].forEach((li, i) => li.prepend((i + 1) + '. '));
  }
  const leaves = [...document.body.querySelectorAll('*')].filter(e => e.children.length === 0 && e.innerText.trim() !== '');
  return {
    text: document.body.innerText,
    lang: document.documentElement.lang,
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
    links: [...document.querySelectorAll('a')].map(a => ({href: a.getAttribute('href') || '', text: a.innerText})),
    minFont: Math.min(...leaves.map(e => parseFloat(getComputedStyle(e).fontSize)), 100),
  };
})()`

func TestHTMLInABrowser(t *testing.T) {
	ctx := browser(t)
	c, ev := testComposer(t)
	dir := t.TempDir()
	var requests []string
	var mu sync.Mutex
	if err := chromedp.Listen(ctx, func(e any) {
		if r, ok := e.(*network.EventRequestWillBeSent); ok && !strings.HasPrefix(r.Request.URL, "file:") {
			mu.Lock()
			requests = append(requests, r.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	names := []string{}
	replies := goldenReplies(ev)
	for n := range replies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, lang := range replyLanguages {
			t.Run(lang+"/"+name, func(t *testing.T) {
				r := replies[name]
				r.Language = lang
				cm, err := c.Compose(r, time.Date(2018, 11, 20, 9, 0, 0, 0, time.UTC))
				if err != nil {
					t.Fatal(err)
				}
				ps := parts(t, cm.Raw)
				page := filepath.Join(dir, lang+"-"+name+".html")
				if err := os.WriteFile(page, ps["text/html"], 0o644); err != nil {
					t.Fatal(err)
				}
				if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
					t.Fatal(err)
				}
				got, err := chromedp.Run(ctx, chromedp.Evaluate[rendered](readPage))
				if err != nil {
					t.Fatal(err)
				}
				// Both alternatives say the same: a reader of the HTML
				// (most readers) is told what a reader of the text is.
				if want, have := words(string(ps["text/plain"])), words(got.Text); !slices.Equal(want, have) {
					t.Errorf("the rendered HTML says other words than the text part:\ntext: %q\nhtml: %q", want, have)
				}
				if got.Lang != lang {
					t.Errorf("lang %q", got.Lang)
				}
				if got.ScrollWidth > got.Width {
					t.Errorf("%d px wide on a %d px screen: the reader scrolls sideways", got.ScrollWidth, got.Width)
				}
				if got.MinFont < 12 {
					t.Errorf("text in %.0f px", got.MinFont)
				}
				for _, l := range got.Links {
					if !strings.HasPrefix(l.Href, "mailto:") && !strings.HasPrefix(l.Href, "https:") || strings.TrimSpace(l.Text) == "" {
						t.Errorf("link %q to %q", l.Text, l.Href)
					}
				}
			})
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) > 0 {
		t.Errorf("the replies' HTML asked for %v", requests)
	}
}

// words returns the runs of letters and digits of s, as a reader reads
// them: quotation marks, bullets and line breaks aside.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
