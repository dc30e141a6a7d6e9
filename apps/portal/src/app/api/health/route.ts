/** The portal's own liveness (not the hub's): for load balancers and the end-to-end tests. */
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok', service: 'consilium-portal' }, { headers: { 'cache-control': 'no-store' } });
}
