import { Global, Module } from '@nestjs/common';
import { DeploymentTasks } from './deployment-tasks.service';
import { JobsService } from './jobs.service';

@Global()
@Module({ providers: [JobsService, DeploymentTasks], exports: [JobsService, DeploymentTasks] })
export class JobsModule {}
