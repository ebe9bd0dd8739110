import { describeAlertLifecycle } from './alert-lifecycle.suite';

describeAlertLifecycle('queues on PostgreSQL, in-process broker and socket.io', {});
