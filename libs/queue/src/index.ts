export { JobQueues, PermanentJobError, createJobQueues } from './job-queues';
export type { AddJobOptions, JobHandlers, JobMeta, JobName, JobQueuesOptions, ScheduleOptions } from './job-queues';
export type { QueueBackendConfig } from './queue-backend';
