package stats

import (
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
)

// sketch is a HyperLogLog distinct counter over 64-bit device hashes with
// 2^14 registers: a standard error of 0.81 %, exact-in-practice for small
// counts (linear counting), and a fixed size (16 KiB dense) however many
// devices it saw. Sketches merge by taking each register's maximum, so the
// nodes' counts of one day, and the days of a range, combine without
// counting a device twice. Small sketches stay sparse (a map) until they
// would be larger than the dense form.
type sketch struct {
	sparse map[uint16]uint8 // nil once dense
	dense  []uint8
}

const (
	hllP        = 14
	hllM        = 1 << hllP
	sparseLimit = hllM / 8 // entries before going dense (~ the dense size in map memory)
)

func newSketch() *sketch { return &sketch{sparse: map[uint16]uint8{}} }

// add counts a device hash (already well mixed: see DeviceHash).
func (s *sketch) add(h uint64) {
	idx := uint16(h >> (64 - hllP))
	rank := uint8(bits.LeadingZeros64(h<<hllP|1<<(hllP-1)) + 1)
	s.set(idx, rank)
}

func (s *sketch) set(idx uint16, rank uint8) {
	if s.dense != nil {
		if rank > s.dense[idx] {
			s.dense[idx] = rank
		}
		return
	}
	if rank > s.sparse[idx] {
		s.sparse[idx] = rank
		if len(s.sparse) > sparseLimit {
			s.dense = make([]uint8, hllM)
			for i, r := range s.sparse {
				s.dense[i] = r
			}
			s.sparse = nil
		}
	}
}

// merge adds o's devices to s.
func (s *sketch) merge(o *sketch) {
	if o.dense != nil {
		for i, r := range o.dense {
			if r != 0 {
				s.set(uint16(i), r)
			}
		}
		return
	}
	for i, r := range o.sparse {
		s.set(i, r)
	}
}

// estimate returns the number of distinct devices counted.
func (s *sketch) estimate() int64 {
	if s.dense == nil && len(s.sparse) == 0 {
		return 0
	}
	sum, zeros := 0.0, 0
	for i := range hllM {
		var r uint8
		if s.dense != nil {
			r = s.dense[i]
		} else {
			r = s.sparse[uint16(i)]
		}
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	m := float64(hllM)
	e := 0.7213 / (1 + 1.079/m) * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting: near exact when small
	}
	return int64(math.Round(e))
}

// marshal encodes s: 'S' and (index, rank) triples when sparse, 'D' and
// the registers when dense.
func (s *sketch) marshal() []byte {
	if s.dense != nil {
		return append([]byte{'D'}, s.dense...)
	}
	b := make([]byte, 1, 1+3*len(s.sparse))
	b[0] = 'S'
	for i, r := range s.sparse {
		b = binary.BigEndian.AppendUint16(b, i)
		b = append(b, r)
	}
	return b
}

var errSketch = errors.New("stats: malformed sketch")

// unmarshalSketch decodes what marshal wrote (an empty input is an empty
// sketch).
func unmarshalSketch(b []byte) (*sketch, error) {
	s := newSketch()
	switch {
	case len(b) == 0:
	case b[0] == 'D' && len(b) == 1+hllM:
		s.sparse, s.dense = nil, append([]uint8(nil), b[1:]...)
	case b[0] == 'S' && (len(b)-1)%3 == 0:
		for i := 1; i < len(b); i += 3 {
			s.set(binary.BigEndian.Uint16(b[i:]), b[i+2])
		}
	default:
		return nil, errSketch
	}
	return s, nil
}

// mergeEncoded returns the encoding of old (as stored; may be empty) with
// s merged in, for the store's read-merge-write.
func (s *sketch) mergeEncoded(old []byte) ([]byte, error) {
	o, err := unmarshalSketch(old)
	if err != nil {
		return nil, err
	}
	o.merge(s)
	return o.marshal(), nil
}
