import { useEffect } from 'preact/hooks';
import { GraphPage } from './pages/graph.js';
import { OverviewPage } from './pages/overview.js';
import { SamplingPage } from './pages/sampling.js';
import { SearchPage } from './pages/search.js';
import { TracePage } from './pages/trace.js';
import { WorkloadPage } from './pages/workload.js';
import { href, useRoute } from './router.js';
import type { Route } from './router.js';

function titleOf(route: Route): string {
  switch (route.page) {
    case 'overview': return 'Propagation overview';
    case 'graph': return 'Service graph';
    case 'workload': return `${route.namespace}/${route.workload}`;
    case 'trace': return `Trace ${route.traceId}`;
    case 'search': return 'Find traces';
    case 'sampling': return 'Sampling drift';
    case 'not-found': return 'Page not found';
  }
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview': return <OverviewPage window={route.window} namespace={route.namespace} />;
    case 'graph': return <GraphPage window={route.window} namespace={route.namespace} />;
    case 'workload': return <WorkloadPage namespace={route.namespace} workload={route.workload} window={route.window} />;
    case 'trace': return <TracePage traceId={route.traceId} stitched={route.stitched} />;
    case 'search': return <SearchPage query={route.query} />;
    case 'sampling': return <SamplingPage />;
    case 'not-found': return (
      <>
        <h1>Page not found</h1>
        <p>Nothing lives at <code>{route.hash}</code>. Start from the <a href={href.overview()}>overview</a>.</p>
      </>
    );
  }
}

function NavLink({ to, current, children }: { to: string; current: boolean; children: string }) {
  return <a href={to} aria-current={current ? 'page' : undefined}>{children}</a>;
}

export function App() {
  const route = useRoute();
  useEffect(() => {
    document.title = `${titleOf(route)} · meshtrace`;
  }, [route]);
  // Moving focus to the new page's heading tells screen-reader users the page changed.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.page]);
  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="site-header">
        <span class="brand">meshtrace</span>
        <nav aria-label="Main">
          <NavLink to={href.overview()} current={route.page === 'overview'}>Overview</NavLink>
          <NavLink to={href.graph()} current={route.page === 'graph'}>Service graph</NavLink>
          <NavLink to={href.search()} current={route.page === 'search'}>Find traces</NavLink>
          <NavLink to={href.sampling()} current={route.page === 'sampling'}>Sampling</NavLink>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
