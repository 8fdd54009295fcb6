import { useEffect, useState } from 'react';
import { useApi } from './apiContext';

/** In a browser the page talks to `h5blocks serve` over a socket; say so while it reconnects. */
export function ConnectionBanner() {
  const { subscribe } = useApi();
  const [reconnecting, setReconnecting] = useState(false);
  useEffect(() => subscribe('connection', (event) => setReconnecting(event.state === 'reconnecting')), [subscribe]);
  if (!reconnecting) return null;
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner">
      Lost the connection to h5blocks serve; reconnecting… Calls wait until it is back.
    </div>
  );
}
