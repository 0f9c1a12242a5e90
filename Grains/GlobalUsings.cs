global using Orleans;
global using Orleans.Concurrency;
global using OrleansNsq.Messages;
global using OrleansNsq.Stats;
