package browser

// Per-kind budgets of in-page events. A page can make any number of
// document.cookie writes or canvas reads; keeping all of them would let it
// exhaust memory, and one shared cap would let a flood of one kind hide
// another (2,000 junk cookie writes, then the fingerprinting). Each kind
// keeps its first events and its last ones, and counts the rest.
const (
	firstEvents = 500 // of each kind, kept in the order they came
	lastEvents  = 50  // of each kind, the latest beyond the first ones
)

// budget is the budget of one kind of event.
type budget[T any] struct {
	seen int // events of this kind so far
	ring []T // the latest events past the first ones, ring[next] the oldest once full
	next int
}

// add files one event: true when it is among the first and the caller
// keeps it in order; otherwise the budget holds it among the last ones,
// pushing out (and counting) the oldest.
func (b *budget[T]) add(v T) bool {
	b.seen++
	if b.seen <= firstEvents {
		return true
	}
	if len(b.ring) < lastEvents {
		b.ring = append(b.ring, v)
		return false
	}
	b.ring[b.next] = v
	b.next = (b.next + 1) % lastEvents
	return false
}

// last is the events held past the first ones, oldest first.
func (b *budget[T]) last() []T {
	out := make([]T, 0, len(b.ring))
	out = append(out, b.ring[b.next:]...)
	return append(out, b.ring[:b.next]...)
}

// dropped is how many events were counted but not kept.
func (b *budget[T]) dropped() int {
	return b.seen - min(b.seen, firstEvents) - len(b.ring)
}
