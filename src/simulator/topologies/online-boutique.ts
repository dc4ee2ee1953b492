/**
 * Google's Online Boutique (GoogleCloudPlatform/microservices-demo): an HTTP frontend in front of
 * gRPC services. Call graph per frontend handler after src/frontend/handlers.go; checkout's
 * PlaceOrder after src/checkoutservice/main.go. Service ports as in the release manifests.
 * Workloads go by short names (`checkout`, not the manifests' `checkoutservice`): the names the
 * simulator's users pass in `behaviours`.
 */
import { only, parallel, sequential } from '../topology.js';
import type { CallSpec, Topology } from '../topology.js';

const NS = 'boutique';

const currencies: CallSpec = { to: 'currency', path: '/hipstershop.CurrencyService/GetSupportedCurrencies' };
const convert = (count: number): CallSpec => ({ to: 'currency', path: '/hipstershop.CurrencyService/Convert', count });
const listProducts: CallSpec = { to: 'productcatalog', path: '/hipstershop.ProductCatalogService/ListProducts' };
const getProduct = (count = 1): CallSpec => ({ to: 'productcatalog', path: '/hipstershop.ProductCatalogService/GetProduct', count });
const getCart: CallSpec = { to: 'cart', path: '/hipstershop.CartService/GetCart' };
const recommendations: CallSpec = { to: 'recommendation', path: '/hipstershop.RecommendationService/ListRecommendations' };
const ads: CallSpec = { to: 'ad', path: '/hipstershop.AdService/GetAds' };
const quote: CallSpec = { to: 'shipping', path: '/hipstershop.ShippingService/GetQuote' };

export const ONLINE_BOUTIQUE: Topology = {
  name: 'online-boutique',
  entry: { workload: 'frontend', host: 'boutique.example.com', path: '/', operation: 'frontend.boutique.svc.cluster.local:80/*' },
  workloads: [
    {
      name: 'frontend', namespace: NS, port: 80, protocol: 'http', pods: ['v1', 'v1', 'v1'],
      latencyMs: { median: 2, sigma: 0.5 }, userAgent: 'grpc-go/1.64.0',
      handlers: [
        { weight: 0.4, stages: [sequential(currencies, listProducts, getCart), parallel(convert(9)), sequential(ads)] },
        { weight: 0.3, stages: [sequential(getProduct(), currencies, getCart, convert(1), recommendations, ads)] },
        { weight: 0.1, stages: [sequential(currencies, getCart, recommendations, quote), parallel(convert(2), getProduct(2))] },
        { weight: 0.1, stages: [sequential({ to: 'checkout', path: '/hipstershop.CheckoutService/PlaceOrder' }, recommendations, currencies)] },
        { weight: 0.1, stages: [sequential(getProduct(), { to: 'cart', path: '/hipstershop.CartService/AddItem' })] },
      ],
    },
    {
      name: 'productcatalog', namespace: NS, port: 3550, protocol: 'grpc', pods: ['v1', 'v1'],
      latencyMs: { median: 0.6, sigma: 0.4 }, userAgent: 'grpc-go/1.64.0', handlers: [],
    },
    {
      name: 'currency', namespace: NS, port: 7000, protocol: 'grpc', pods: ['v1', 'v1'],
      latencyMs: { median: 0.8, sigma: 0.5 }, userAgent: 'grpc-node-js/1.10.8', handlers: [],
    },
    {
      name: 'cart', namespace: NS, port: 7070, protocol: 'grpc', pods: ['v1'],
      // Includes its Redis round trip, which is plain TCP and so has no span of its own.
      latencyMs: { median: 1.5, sigma: 0.5 }, userAgent: 'grpc-dotnet/2.63.0', handlers: [],
    },
    {
      name: 'recommendation', namespace: NS, port: 8080, protocol: 'grpc', pods: ['v1'],
      latencyMs: { median: 2, sigma: 0.5 }, userAgent: 'grpc-python/1.62.1 grpc-c/39.0.0 (linux; chttp2)',
      handlers: only(sequential(listProducts)),
    },
    {
      name: 'shipping', namespace: NS, port: 50051, protocol: 'grpc', pods: ['v1'],
      latencyMs: { median: 0.5, sigma: 0.4 }, userAgent: 'grpc-go/1.64.0', handlers: [],
    },
    {
      name: 'checkout', namespace: NS, port: 5050, protocol: 'grpc', pods: ['v1'],
      latencyMs: { median: 2, sigma: 0.5 }, userAgent: 'grpc-go/1.64.0',
      handlers: only(
        sequential(getCart, getProduct(2), convert(2), quote),
        sequential({ to: 'payment', path: '/hipstershop.PaymentService/Charge' }),
        sequential({ to: 'shipping', path: '/hipstershop.ShippingService/ShipOrder' }, { to: 'cart', path: '/hipstershop.CartService/EmptyCart' }),
        // The confirmation mail does not hold up the order: fire-and-forget.
        sequential({ to: 'email', path: '/hipstershop.EmailService/SendOrderConfirmation', async: true }),
      ),
    },
    {
      name: 'payment', namespace: NS, port: 50051, protocol: 'grpc', pods: ['v1'],
      latencyMs: { median: 1, sigma: 0.4 }, userAgent: 'grpc-node-js/1.10.8', handlers: [],
    },
    {
      name: 'email', namespace: NS, port: 5000, protocol: 'grpc', pods: ['v1'],
      latencyMs: { median: 3, sigma: 0.5 }, userAgent: 'grpc-python/1.62.1 grpc-c/39.0.0 (linux; chttp2)', handlers: [],
    },
    {
      name: 'ad', namespace: NS, port: 9555, protocol: 'grpc', pods: ['v1'],
      latencyMs: { median: 1.2, sigma: 0.5 }, userAgent: 'grpc-java-netty/1.63.0', handlers: [],
    },
  ],
  // The sample's load generator runs in the mesh with a sidecar; here it is the originator.
  originator: {
    name: 'loadgenerator', namespace: NS, pods: ['v1'], userAgent: 'python-requests/2.32.3', periodMs: 200,
    call: { to: 'frontend', path: '/product/{id}' },
  },
};
