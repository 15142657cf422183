package kb

import (
	"context"
)

// Resolver looks up the canonical name of a host. *net.Resolver satisfies
// it; tests use a map.
type Resolver interface {
	LookupCNAME(ctx context.Context, host string) (string, error)
}

// MatchCNAME attributes a host to a tracker hidden behind a DNS alias
// ("CNAME cloaking"): metrics.shop.example -> shop.example.tracker.net is
// the tracker's, though the URL looks first party. It answers only when the
// host itself is unknown and its canonical name belongs to a vendor (or to
// a user list); the Source names both hosts.
func (k *KB) MatchCNAME(ctx context.Context, r Resolver, host string) (Match, bool, error) {
	host = normHost(host)
	if _, ok := k.MatchHost(host); ok {
		return Match{}, false, nil
	}
	target, err := r.LookupCNAME(ctx, host)
	if err != nil {
		return Match{}, false, err
	}
	target = normHost(target)
	if target == "" || target == host {
		return Match{}, false, nil
	}
	m, ok := k.MatchHost(target)
	if !ok {
		for _, l := range k.lists {
			if m, ok = l.MatchRequest("https://"+target+"/", "https://"+host+"/", ""); ok {
				break
			}
		}
	}
	if !ok {
		return Match{}, false, nil
	}
	m.Source = m.Source + " (CNAME " + host + " -> " + target + ")"
	return m, true, nil
}
