import type { Topology } from '../topology.js';
import type { TopologyName } from '../types.js';
import { BOOKINFO } from './bookinfo.js';
import { ONLINE_BOUTIQUE } from './online-boutique.js';
import { SOCIAL_NETWORK } from './social-network.js';

export const TOPOLOGY_DATA: Readonly<Record<TopologyName, Topology>> = {
  'bookinfo': BOOKINFO,
  'online-boutique': ONLINE_BOUTIQUE,
  'social-network': SOCIAL_NETWORK,
};

export const TOPOLOGIES: readonly TopologyName[] = ['bookinfo', 'online-boutique', 'social-network'];

export function isTopologyName(value: string): value is TopologyName {
  return (TOPOLOGIES as readonly string[]).includes(value);
}
