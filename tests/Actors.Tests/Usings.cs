global using Xunit;
global using Orleans;
global using Orleans.Runtime;
