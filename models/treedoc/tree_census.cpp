// Tree statistics without building TIDs: state counts and encoded TID sizes (codec.hpp), counted
// by depth for the base and carried down explicit paths as element and Dis byte counts.
#include <algorithm>

#include "models/treedoc/codec.hpp"
#include "models/treedoc/run.hpp"
#include "models/treedoc/tree.hpp"

namespace treedoc {

namespace {

// One more LIVE or DEAD mini whose TID encodes in `bytes` (`count` of them).
void count_tid(TreeCensus* c, uint64_t bytes, uint64_t count = 1) {
  c->tid_bytes_total += count * bytes;
  c->atoms_with_tid += count;
  c->tid_bytes_max = std::max(c->tid_bytes_max, bytes);
}

// Dis bytes of a path that had `dis_bytes` and whose next Dis element, at `index`, carries `d`
// (codec.hpp: each Dis element is its gap from the one before, then the Dis).
uint64_t dis_bytes_with(uint64_t dis_bytes, uint64_t next_dis_index, uint64_t index, Dis d) {
  return dis_bytes + varint_size(index - next_dis_index) + varint_size(d.site) +
         varint_size(d.counter);
}

// A base atom's TID has `depth` elements and one Dis, D_FLAT, on its last element.
uint64_t base_dis_bytes(uint64_t depth) { return dis_bytes_with(0, 0, depth - 1, kDisFlat); }

}  // namespace

void Tree::census_of_base(TreeCensus* c, std::vector<CensusFrame>* stack) const {
  const std::vector<uint64_t> per_depth = layout_.atoms_per_depth();
  for (size_t k = 0; k < per_depth.size(); ++k) {
    const uint64_t depth = k + 1;
    const uint64_t bytes = encoded_tid_size(depth, 1, base_dis_bytes(depth));
    count_tid(c, bytes, per_depth[k]);  // base minis are all LIVE or DEAD
  }
  c->depth_max = per_depth.size();
  const uint32_t flat_live = sequence_.base().count_before(layout_.count());
  c->live += flat_live;
  c->dead += layout_.count() - flat_live;
  for (const BaseAttachments& at : attachments_) {
    if (at.base >= layout_.count()) continue;  // a chained atom's: census_of_chain's
    const uint64_t depth = layout_.locate(at.base).depth;
    for (uint8_t b = 0; b < 2; ++b) {
      if (at.major_child[b] != kNoNode) stack->push_back({at.major_child[b], depth, 0, 0, 0});
      if (at.mini_child[b] != kNoNode) {
        stack->push_back({at.mini_child[b], depth, 1, base_dis_bytes(depth), depth});
      }
    }
  }
}

void Tree::census_of_chain(const CensusFrame& f, TreeCensus* c,
                           std::vector<CensusFrame>* stack) const {
  // Member k's major is member k - 1's right child: its path adds elements without a Dis, and
  // only its own last element carries member k's Dis, run_dis(dis0, k). Member k's TID has
  // e0 + k elements (e0 = f.elements_before + 1), its Dis gap and its Dis counter grow with k
  // (or the counter stays 0, SDIS), so the chain's sizes sum in closed form, the largest is the
  // last member's, and only members with something attached are visited.
  const Chain& chain = chain_of(base_index(f.major));
  TD_ASSERT(chain.first == base_index(f.major), "a chain is reached by its member 0");
  const uint64_t n = chain.count;
  const uint64_t e0 = f.elements_before + 1;
  const auto member_dis_bytes = [&](uint64_t k) {
    return dis_bytes_with(f.dis_bytes, f.next_dis_index, e0 + k - 1, run_dis(chain.dis0(), k));
  };
  const uint64_t per_member =
      varint_size(f.dis_count + 1) + f.dis_bytes + varint_size(chain.dis0().site);
  const uint64_t counters =
      chain.dis0().counter == 0
          ? n * varint_size(0)
          : sum_varint_sizes(chain.dis0().counter, chain.dis0().counter + n - 1);
  c->tid_bytes_total +=
      sum_varint_sizes(e0, e0 + n - 1) + sum_bitmap_bytes(e0, e0 + n - 1) + n * per_member +
      sum_varint_sizes(e0 - 1 - f.next_dis_index, e0 + n - 2 - f.next_dis_index) + counters;
  c->atoms_with_tid += n;
  c->tid_bytes_max =
      std::max(c->tid_bytes_max,
               uint64_t{encoded_tid_size(e0 + n - 1, f.dis_count + 1, member_dis_bytes(n - 1))});
  const BaseCounts& counts = sequence_.base();
  const uint32_t live =
      counts.count_before(chain.first + chain.count) - counts.count_before(chain.first);
  c->live += live;
  c->dead += n - live;
  c->depth_max = std::max(c->depth_max, e0 + n - 1);
  attachment_of_.for_each_in(
      chain.first, chain.first + chain.count, [&](uint32_t i, NodeIndex entry) {
        const BaseAttachments& at = attachments_[entry];
        const uint64_t k = i - chain.first;
        const uint64_t elements = e0 + k;
        const uint64_t dis_bytes = member_dis_bytes(k);
        for (uint8_t b = 0; b < 2; ++b) {
          if (at.mini_child[b] != kNoNode) {
            stack->push_back({at.mini_child[b], elements, f.dis_count + 1, dis_bytes, elements});
          }
          if (at.major_child[b] != kNoNode) {
            stack->push_back(
                {at.major_child[b], elements, f.dis_count, f.dis_bytes, f.next_dis_index});
          }
        }
      });
}

TreeCensus Tree::census() const {
  TreeCensus c;
  std::vector<CensusFrame> stack;
  for (NodeIndex child : majors_[0].child) {
    if (child != kNoNode && !is_flat(child)) stack.push_back({child, 0, 0, 0, 0});
  }
  if (layout_.count() > 0) census_of_base(&c, &stack);
  while (!stack.empty()) {
    const CensusFrame f = stack.back();
    stack.pop_back();
    if (is_chained(f.major)) {
      census_of_chain(f, &c, &stack);
      continue;
    }
    const MajorNode& m = majors_[f.major];
    const uint64_t elements = f.elements_before + 1;
    for (NodeIndex x = m.first_mini; x != kNoNode; x = minis_[x].next) {
      const MiniNode& mini = minis_[x];
      const uint64_t index = elements - 1;
      const uint64_t dis_bytes = dis_bytes_with(f.dis_bytes, f.next_dis_index, index, mini.dis);
      if (x != sentinel_) {
        switch (mini.state) {
          case MiniState::kLive: ++c.live; break;
          case MiniState::kDead: ++c.dead; break;
          case MiniState::kGhost: ++c.ghost; break;
          case MiniState::kGhostDead: ++c.ghost_dead; break;
        }
        if (mini.state == MiniState::kLive || mini.state == MiniState::kDead) {
          const uint64_t bytes = encoded_tid_size(elements, f.dis_count + 1, dis_bytes);
          count_tid(&c, bytes);
        }
      }
      c.depth_max = std::max(c.depth_max, elements);
      for (NodeIndex child : mini.child) {
        if (child != kNoNode) {
          stack.push_back({child, elements, f.dis_count + 1, dis_bytes, elements});
        }
      }
    }
    for (NodeIndex child : m.child) {
      if (child != kNoNode) {
        stack.push_back({child, elements, f.dis_count, f.dis_bytes, f.next_dis_index});
      }
    }
  }
  return c;
}

}  // namespace treedoc
