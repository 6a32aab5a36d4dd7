// Verilator testbench drivers behind the C ABI of zk_sim.h. Each call builds
// a fresh model, drives it cycle by cycle and checks the protocol (results
// one per cycle, in order; AXI handshakes) as it goes.
#include "zk_sim.h"

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "verilated.h"
#include "Vzk_mont_mul_fq.h"
#include "Vzk_mont_mul_fq_w32.h"
#include "Vzk_mont_mul_fr.h"
#include "Vzk_g1_add.h"
#include "Vzk_ntt_stream.h"
#include "Vzk_ntt_stream_n2.h"
#include "Vzk_lane_product.h"
#include "Vzk_fr_inverse.h"
#include "Vkrnl_msm.h"

namespace {

template <std::size_t W>
void put(VlWide<W> &dst, const uint64_t *limbs) {
    for (int i = 0; i < 4; i++) {
        dst[2 * i] = static_cast<uint32_t>(limbs[i]);
        dst[2 * i + 1] = static_cast<uint32_t>(limbs[i] >> 32);
    }
}

template <std::size_t W>
void get(const VlWide<W> &src, uint64_t *limbs) {
    for (int i = 0; i < 4; i++) limbs[i] = uint64_t(src[2 * i]) | (uint64_t(src[2 * i + 1]) << 32);
}

template <typename M>
void edge(M &m) {
    m.clk = 0;
    m.eval();
    m.clk = 1;
    m.eval();
}

// Streams n inputs, one per cycle, and collects n outputs; checks that they
// leave back to back. Returns the latency or -1.
template <typename M, typename Feed, typename Take>
int64_t stream(M &m, size_t n, Feed feed, Take take) {
    int64_t first = -1;
    size_t seen = 0;
    const size_t limit = n + 1000;
    for (size_t cycle = 0; cycle < limit && seen < n; cycle++) {
        m.in_valid = cycle < n;
        if (cycle < n) feed(cycle);
        edge(m);
        if (m.out_valid) {
            if (first < 0) first = int64_t(cycle);
            if (size_t(first) + seen != cycle) return -1;
            take(seen);
            seen++;
        }
    }
    return seen == n ? first + 1 : -1;
}

template <typename M>
int64_t mont_mul(const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n) {
    VerilatedContext ctx;
    M m{&ctx};
    return stream(
        m, n, [&](size_t i) { put(m.a, a + 4 * i); put(m.b, b + 4 * i); },
        [&](size_t k) { get(m.out, out + 4 * k); });
}

// ---- AXI memory model for krnl_msm.

struct Lcg {
    uint64_t state = 0x9e3779b97f4a7c15ull;
    uint32_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return uint32_t(state >> 33);
    }
};

struct Region {
    uint64_t base;
    std::vector<uint64_t> words;  // 4 per 256-bit beat
    bool contains(uint64_t addr) const { return addr >= base && addr + 32 <= base + 8 * words.size(); }
    uint64_t *beat(uint64_t addr) { return &words[(addr - base) / 8]; }
};

struct Burst {
    uint64_t addr;
    uint32_t left;
};

struct Memory {
    std::vector<Region> regions;
    Lcg rng;
    uint32_t stall_percent = 0;
    bool fault = false;
    std::deque<Burst> bases_reads, scalars_reads, writes;
    uint32_t write_responses = 0;

    bool stall() { return stall_percent != 0 && rng.next() % 100 < stall_percent; }
    uint64_t *beat(uint64_t addr) {
        for (auto &r : regions)
            if (r.contains(addr)) return r.beat(addr);
        fault = true;
        return nullptr;
    }
};

constexpr uint64_t kBases = 0x10000000, kScalars = 0x20000000, kBuckets = 0x40000000;

struct Kernel {
    VerilatedContext ctx;
    Vkrnl_msm m{&ctx};
    Memory mem;
    uint64_t cycles = 0;

    void tick() {
        auto &k = m;
        // Inputs from the memory side, decided before the edge.
        k.m_axi_bases_arready = !mem.stall();
        k.m_axi_scalars_arready = !mem.stall();
        k.m_axi_buckets_awready = !mem.stall();
        k.m_axi_buckets_wready = !mem.writes.empty() && !mem.stall();
        k.m_axi_buckets_bvalid = mem.write_responses > 0;
        k.m_axi_buckets_bresp = 0;
        bool bases_r = !mem.bases_reads.empty() && !mem.stall();
        bool scalars_r = !mem.scalars_reads.empty() && !mem.stall();
        k.m_axi_bases_rvalid = bases_r;
        k.m_axi_scalars_rvalid = scalars_r;
        k.m_axi_bases_rresp = 0;
        k.m_axi_scalars_rresp = 0;
        if (bases_r) {
            const uint64_t *p = mem.beat(mem.bases_reads.front().addr);
            if (p) put(k.m_axi_bases_rdata, p);
            k.m_axi_bases_rlast = mem.bases_reads.front().left == 1;
        }
        if (scalars_r) {
            const uint64_t *p = mem.beat(mem.scalars_reads.front().addr);
            if (p) put(k.m_axi_scalars_rdata, p);
            k.m_axi_scalars_rlast = mem.scalars_reads.front().left == 1;
        }
        k.ap_clk = 0;
        k.eval();
        // Handshakes as the master sees them this cycle.
        bool ar_b = k.m_axi_bases_arvalid && k.m_axi_bases_arready;
        bool ar_s = k.m_axi_scalars_arvalid && k.m_axi_scalars_arready;
        bool r_b = bases_r && k.m_axi_bases_rready;
        bool r_s = scalars_r && k.m_axi_scalars_rready;
        bool aw = k.m_axi_buckets_awvalid && k.m_axi_buckets_awready;
        bool w = k.m_axi_buckets_wvalid && k.m_axi_buckets_wready;
        bool b = k.m_axi_buckets_bvalid && k.m_axi_buckets_bready;
        Burst ar_bases{k.m_axi_bases_araddr, uint32_t(k.m_axi_bases_arlen) + 1};
        Burst ar_scalars{k.m_axi_scalars_araddr, uint32_t(k.m_axi_scalars_arlen) + 1};
        Burst aw_burst{k.m_axi_buckets_awaddr, uint32_t(k.m_axi_buckets_awlen) + 1};
        if (w) {
            Burst &head = mem.writes.front();
            uint64_t *p = mem.beat(head.addr);
            if (p) get(k.m_axi_buckets_wdata, p);
            if (k.m_axi_buckets_wstrb != 0xffffffffu) mem.fault = true;
            bool last = k.m_axi_buckets_wlast;
            head.addr += 32;
            head.left--;
            if (last != (head.left == 0)) mem.fault = true;
            if (head.left == 0) {
                mem.writes.pop_front();
                mem.write_responses++;
            }
        }
        k.ap_clk = 1;
        k.eval();
        cycles++;
        if (ar_b) mem.bases_reads.push_back(ar_bases);
        if (ar_s) mem.scalars_reads.push_back(ar_scalars);
        if (aw) mem.writes.push_back(aw_burst);
        if (b) mem.write_responses--;
        for (auto [fire, q] : {std::pair{r_b, &mem.bases_reads}, std::pair{r_s, &mem.scalars_reads}}) {
            if (!fire) continue;
            Burst &head = q->front();
            head.addr += 32;
            if (--head.left == 0) q->pop_front();
        }
    }

    // Ticks until `ready` is seen high before an edge (the handshake of a
    // valid the caller holds high); a slave that never answers is a fault.
    void handshake(const CData &ready) {
        for (int i = 0; i < 100; i++) {
            m.ap_clk = 0;
            m.eval();
            bool accepted = ready;
            tick();
            if (accepted) return;
        }
        mem.fault = true;
    }

    void write_reg(uint32_t addr, uint32_t value) {
        m.s_axi_control_awvalid = 1;
        m.s_axi_control_wvalid = 1;
        m.s_axi_control_awaddr = addr;
        m.s_axi_control_wdata = value;
        m.s_axi_control_wstrb = 0xf;
        m.s_axi_control_bready = 1;
        handshake(m.s_axi_control_awready);
        m.s_axi_control_awvalid = 0;
        m.s_axi_control_wvalid = 0;
        handshake(m.s_axi_control_bvalid);  // bvalid && bready: the response is taken
    }

    uint32_t read_reg(uint32_t addr) {
        m.s_axi_control_arvalid = 1;
        m.s_axi_control_araddr = addr;
        m.s_axi_control_rready = 0;
        handshake(m.s_axi_control_arready);
        m.s_axi_control_arvalid = 0;
        for (int i = 0; i < 100 && !m.s_axi_control_rvalid; i++) tick();
        uint32_t value = m.s_axi_control_rdata;
        m.s_axi_control_rready = 1;
        handshake(m.s_axi_control_rvalid);
        m.s_axi_control_rready = 0;
        return value;
    }
};

}  // namespace

extern "C" int64_t zk_sim_mont_mul(int field, const uint64_t *a, const uint64_t *b, uint64_t *out, size_t n) {
    switch (field) {
        case ZK_FIELD_FQ: return mont_mul<Vzk_mont_mul_fq>(a, b, out, n);
        case ZK_FIELD_FR: return mont_mul<Vzk_mont_mul_fr>(a, b, out, n);
        case ZK_FIELD_FQ_W32: return mont_mul<Vzk_mont_mul_fq_w32>(a, b, out, n);
        default: return -1;
    }
}

extern "C" int64_t zk_sim_g1_add(const uint64_t *p, const uint64_t *q, uint64_t *out, size_t n) {
    VerilatedContext ctx;
    Vzk_g1_add m{&ctx};
    m.in_tag = 0;
    return stream(
        m, n,
        [&](size_t i) {
            const uint64_t *l = p + 12 * i, *r = q + 12 * i;
            put(m.x1, l), put(m.y1, l + 4), put(m.z1, l + 8);
            put(m.x2, r), put(m.y2, r + 4), put(m.z2, r + 8);
        },
        [&](size_t k) {
            uint64_t *o = out + 12 * k;
            get(m.x3, o), get(m.y3, o + 4), get(m.z3, o + 8);
        });
}

extern "C" uint32_t zk_sim_ntt_log_n(void) { return ZK_NTT_LOG_N; }

// Streams n elements into a model with in_valid/in_data and out_valid/out_data,
// an idle cycle after every `gap_every` inputs (0: none); `before(i)` sets the
// model's other inputs for element i. Returns the cycles from the first input
// to the last output, or -1 if fewer than n came out.
template <typename M, typename Before>
int64_t stream_gapped(M &m, const uint64_t *in, uint64_t *out, size_t n, uint32_t gap_every, Before before) {
    size_t fed = 0, seen = 0, since_gap = 0;
    int64_t start = -1, end = -1;
    for (size_t cycle = 0; cycle < 4 * n + 1000 && seen < n; cycle++) {
        bool gap = gap_every != 0 && since_gap == gap_every;
        m.in_valid = fed < n && !gap;
        if (m.in_valid) {
            put(m.in_data, in + 4 * fed);
            before(fed);
        }
        edge(m);
        if (m.in_valid) {
            if (start < 0) start = int64_t(cycle);
            fed++;
            since_gap++;
        } else if (gap) {
            since_gap = 0;
        }
        if (m.out_valid) {
            get(m.out_data, out + 4 * seen);
            seen++;
            end = int64_t(cycle);
        }
    }
    return seen == n ? end - start + 1 : -1;
}

extern "C" int64_t zk_sim_fr_inverse(const uint64_t *in, uint64_t *out, size_t n) {
    VerilatedContext ctx;
    Vzk_fr_inverse m{&ctx};
    m.rst = 1;
    m.start = 0;
    edge(m);
    edge(m);
    m.rst = 0;
    int64_t cycles = 0;
    for (size_t i = 0; i < n; i++) {
        put(m.x, in + 4 * i);
        m.start = 1;
        edge(m);
        m.start = 0;
        cycles++;
        // 256 squarings and at most 256 products of at most 16 cycles each.
        for (int64_t wait = 0; !m.done; wait++, cycles++) {
            if (wait > 512 * 16) return -1;
            edge(m);
        }
        get(m.out, out + 4 * i);
    }
    return cycles;
}

extern "C" uint32_t zk_sim_lane_product_lanes(void) { return 1u << ZK_LANE_LOG; }

extern "C" int64_t zk_sim_lane_product(const uint64_t *in, const uint8_t *first, uint64_t *out, size_t n,
                                       uint32_t gap_every) {
    VerilatedContext ctx;
    Vzk_lane_product m{&ctx};
    m.rst = 1;
    m.in_valid = 0;
    m.in_first = 0;
    edge(m);
    edge(m);
    m.rst = 0;
    return stream_gapped(m, in, out, n, gap_every, [&](size_t i) { m.in_first = first[i] != 0; });
}

// Streams `frames` transforms through a verilated zk_ntt_stream of 2^log_n points.
template <typename M>
int64_t ntt_run(uint32_t log_n, const uint64_t *twiddles, const uint64_t *in, uint64_t *out, size_t frames,
                uint32_t gap_every) {
    VerilatedContext ctx;
    M m{&ctx};
    const size_t n = size_t(1) << log_n;
    m.rst = 1;
    m.tw_we = 0;
    m.in_valid = 0;
    edge(m);
    edge(m);
    m.rst = 0;
    const uint64_t *tw = twiddles;
    for (uint32_t s = 0; s < log_n; s++) {
        for (size_t j = 0; j < (size_t(1) << (log_n - 1 - s)); j++) {
            m.tw_we = 1;
            m.tw_stage = s;
            m.tw_addr = uint32_t(j);
            put(m.tw_data, tw);
            tw += 4;
            edge(m);
        }
    }
    m.tw_we = 0;
    return stream_gapped(m, in, out, frames * n, gap_every, [](size_t) {});
}

extern "C" int64_t zk_sim_ntt(const uint64_t *twiddles, const uint64_t *in, uint64_t *out, size_t frames,
                              uint32_t gap_every) {
    return ntt_run<Vzk_ntt_stream>(ZK_NTT_LOG_N, twiddles, in, out, frames, gap_every);
}

extern "C" int64_t zk_sim_ntt2(const uint64_t *twiddles, const uint64_t *in, uint64_t *out, size_t frames) {
    return ntt_run<Vzk_ntt_stream_n2>(1, twiddles, in, out, frames, 0);
}

extern "C" uint32_t zk_sim_msm_window_bits(void) { return ZK_MSM_WINDOW_BITS; }

extern "C" uint32_t zk_sim_msm_bucket_count(void) { return ZK_MSM_BUCKETS; }

extern "C" int zk_sim_msm(const uint64_t *bases, const uint64_t *scalars, uint64_t n, uint64_t *buckets,
                          uint32_t stall_percent, zk_msm_run *run) {
    auto k = std::make_unique<Kernel>();
    k->mem.stall_percent = stall_percent;
    const size_t bucket_words = size_t(ZK_MSM_BUCKETS) * 12;
    k->mem.regions.push_back(Region{kBases, std::vector<uint64_t>(bases, bases + 8 * n)});
    k->mem.regions.push_back(Region{kScalars, std::vector<uint64_t>(scalars, scalars + 4 * n)});
    k->mem.regions.push_back(Region{kBuckets, std::vector<uint64_t>(bucket_words, 0)});
    auto &m = k->m;
    m.ap_rst_n = 0;
    for (int i = 0; i < 4; i++) k->tick();
    m.ap_rst_n = 1;
    k->tick();
    k->write_reg(0x10, uint32_t(n));
    k->write_reg(0x18, uint32_t(kBases));
    k->write_reg(0x1c, uint32_t(kBases >> 32));
    k->write_reg(0x20, uint32_t(kScalars));
    k->write_reg(0x24, uint32_t(kScalars >> 32));
    k->write_reg(0x28, uint32_t(kBuckets));
    k->write_reg(0x2c, uint32_t(kBuckets >> 32));
    if ((k->read_reg(0x00) & 0x4) == 0) return -1;  // must be idle
    k->write_reg(0x00, 1);
    const uint64_t limit = 64 * (n + 16) * 300 + 40 * uint64_t(ZK_MSM_BUCKETS) + 100000;
    bool done = false;
    while (k->cycles < limit && !k->mem.fault) {
        for (int i = 0; i < 64; i++) k->tick();
        if (k->read_reg(0x00) & 0x2) {
            done = true;
            break;
        }
    }
    if (!done || k->mem.fault) return -1;
    // ap_done clears on read, and the kernel must be idle, not running again.
    const uint32_t control = k->read_reg(0x00);
    if ((control & 0x2) != 0 || (control & 0x4) == 0) return -1;
    run->cycles = uint64_t(k->read_reg(0x30)) | (uint64_t(k->read_reg(0x34)) << 32);
    run->window_bits = k->read_reg(0x38);
    run->bucket_count = k->read_reg(0x3c);
    if (k->mem.fault) return -1;
    const auto &words = k->mem.regions[2].words;
    std::copy(words.begin(), words.end(), buckets);
    return 0;
}
