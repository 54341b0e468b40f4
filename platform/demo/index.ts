/**
 * @packageDocumentation
 * Demo mode (`npm run demo`, DEMO=1): seed data (seed.ts, demo-data.ts, history.ts) and live traffic
 * through the real engine (traffic.ts). The platform starts it only when `config.demo` is set.
 */
export { DEMO_COMPOUNDS, DEMO_LANES, DEMO_REPORTS, DEMO_VEHICLES, demoContacts } from './demo-data';
export { HISTORY_CHANNEL, seedDemoHistory } from './history';
export { seedDemoData, type DemoSeedResult } from './seed';
export { banner, startDemoTraffic, type DemoStats } from './traffic';
