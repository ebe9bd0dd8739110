import { describeAlertLifecycle } from './alert-lifecycle.suite';

describeAlertLifecycle('queues, socket.io fan-out and broker clustering on Redis', {
  REDIS_URL: 'redis://127.0.0.1:6379',
});
