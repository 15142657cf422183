package browser

import (
	"context"
	_ "embed"

	"github.com/trackscan/trackscan/crawler/capture"
)

//go:embed storage_extra.js
var storageExtraJS string

// Storage kinds beyond Web Storage, as capture.StorageItem.Kind.
const (
	KindIndexedDB     = "indexedDB"     // Key: "database/objectStore" (or "database" when it has none)
	KindCacheStorage  = "cacheStorage"  // Key: the cache's name
	KindServiceWorker = "serviceWorker" // Key: the registration's scope; SetBy: its script
)

type storageExtra struct {
	IDB []struct {
		Name   string   `json:"name"`
		Stores []string `json:"stores"`
	} `json:"idb"`
	Caches  []string `json:"caches"`
	Workers []struct {
		Scope  string `json:"scope"`
		Script string `json:"script"`
	} `json:"workers"`
}

// collectStorageExtra adds, per origin of the page's frames, the IndexedDB
// object stores, Cache Storage caches and service worker registrations to
// p.Storage, so the detectors attribute them like localStorage keys.
func (b *Browser) collectStorageExtra(ctx context.Context, p *capture.Page) {
	fs, _ := frames(ctx)
	seen := map[string]bool{}
	for _, f := range fs {
		origin := originOf(f.url)
		if origin == "" || seen[origin] {
			continue
		}
		seen[origin] = true
		x, err := evalInFrame[storageExtra](ctx, f.id, storageExtraJS, true)
		if err != nil {
			continue
		}
		for _, db := range x.IDB {
			if len(db.Stores) == 0 {
				p.Storage = append(p.Storage, capture.StorageItem{Origin: origin, Kind: KindIndexedDB, Key: db.Name})
			}
			for _, s := range db.Stores {
				p.Storage = append(p.Storage, capture.StorageItem{Origin: origin, Kind: KindIndexedDB, Key: db.Name + "/" + s})
			}
		}
		for _, c := range x.Caches {
			p.Storage = append(p.Storage, capture.StorageItem{Origin: origin, Kind: KindCacheStorage, Key: c})
		}
		for _, w := range x.Workers {
			p.Storage = append(p.Storage, capture.StorageItem{Origin: origin, Kind: KindServiceWorker, Key: w.Scope, SetBy: w.Script})
		}
	}
}
