import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { LOGGER } from '../logging/logger';
import { PlatformMetrics } from '../metrics/metrics';
import { DeploymentTask } from './deployment-task';

/** Starts deployment-wide upkeep (deployment-task.ts), counted per task and logged on failure. */
@Injectable()
export class DeploymentTasks implements OnApplicationShutdown {
  private readonly tasks: DeploymentTask[] = [];

  constructor(
    private readonly db: DataSource,
    @Inject(LOGGER) private readonly log: Logger,
    private readonly metrics: PlatformMetrics,
  ) {}

  /**
   * Runs `run` once per `everyMs` across the deployment (sooner when it answers a nearer due time).
   * The owner stops it in its own shutdown hook, before what the run uses goes away.
   */
  every(name: string, everyMs: number, run: () => Promise<number | null | void>, failure: string): DeploymentTask {
    const task = new DeploymentTask(this.db, {
      name,
      everyMs,
      run,
      onError: (error) => this.log.warn({ err: error, task: name }, failure),
      onRun: () => this.metrics.deploymentTaskRuns.inc({ task: name }),
    });
    this.tasks.push(task);
    task.start();
    return task;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
  }
}
